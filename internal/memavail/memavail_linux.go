package memavail

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// unlimited is the smallest limit taken as none: cgroup v1 writes "no
// limit" as a page-rounded 2^63−1.
const unlimited = 1 << 62

// system is the room under the kernel's bounds, read from the files below
// root ("/" outside tests): MemAvailable, and the memory limit of the
// process's cgroup and of each of its ancestors less that cgroup's usage.
func system(root string) (Room, bool) {
	var best Room
	ok := false
	take := func(r Room) {
		if !ok || r.Bytes < best.Bytes {
			best, ok = r, true
		}
	}
	if kb, found := meminfo(filepath.Join(root, "proc/meminfo"), "MemAvailable"); found {
		take(Room{Bytes: kb * 1024, Source: "MemAvailable in /proc/meminfo"})
	}
	for _, c := range cgroups(root) {
		for dir := c.path; ; dir = path.Dir(dir) {
			limit, lok := number(filepath.Join(root, c.mount, dir, c.limit))
			usage, uok := number(filepath.Join(root, c.mount, dir, c.usage))
			if lok && uok && limit < unlimited {
				room := uint64(0)
				if limit > usage {
					room = limit - usage
				}
				take(Room{Bytes: room, Source: "cgroup " + c.limit + " of " + dir + ", " + Size(limit) + ", minus its usage " + Size(usage)})
			}
			if dir == "/" || dir == "." {
				break
			}
		}
	}
	return best, ok
}

// cgroup is where one memory controller of the process keeps its files.
type cgroup struct {
	mount        string // the controller's mount point
	path         string // the process's cgroup below the mount, "/…"
	limit, usage string // the file names of the limit and the usage
}

// cgroups finds the process's memory cgroups, v2 and v1, from
// /proc/self/cgroup and /proc/self/mountinfo.
func cgroups(root string) []cgroup {
	own, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return nil
	}
	var v2, v1 string // the process's path in each hierarchy
	have2, have1 := false, false
	for line := range strings.Lines(string(own)) {
		// hierarchy-ID:controllers:path
		parts := strings.SplitN(strings.TrimRight(line, "\n"), ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2, have2 = parts[2], true
		case hasField(parts[1], ",", "memory"):
			v1, have1 = parts[2], true
		}
	}
	mounts, err := os.ReadFile(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return nil
	}
	var out []cgroup
	for line := range strings.Lines(string(mounts)) {
		// id parent dev root mountpoint options [optional…] - fstype source superoptions
		f := strings.Fields(line)
		sep := -1
		for i, s := range f {
			if s == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || sep+3 > len(f) {
			continue
		}
		mroot, point, fstype, super := f[3], unescape(f[4]), f[sep+1], f[sep+3]
		switch {
		case fstype == "cgroup2" && have2:
			if rel, ok := below(v2, mroot); ok {
				out = append(out, cgroup{mount: point, path: rel, limit: "memory.max", usage: "memory.current"})
			}
		case fstype == "cgroup" && have1 && hasField(super, ",", "memory"):
			if rel, ok := below(v1, mroot); ok {
				out = append(out, cgroup{mount: point, path: rel, limit: "memory.limit_in_bytes", usage: "memory.usage_in_bytes"})
			}
		}
	}
	return out
}

// below is p relative to a mount showing the hierarchy from mroot, "/…".
func below(p, mroot string) (string, bool) {
	if mroot == "/" {
		return path.Clean("/" + p), true
	}
	if p == mroot {
		return "/", true
	}
	if rest, ok := strings.CutPrefix(p, mroot+"/"); ok {
		return path.Clean("/" + rest), true
	}
	return "", false
}

// unescape undoes mountinfo's octal escapes of space, tab, newline and
// backslash.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hasField(list, sep, want string) bool {
	for f := range strings.SplitSeq(list, sep) {
		if f == want {
			return true
		}
	}
	return false
}

// number reads a file holding one decimal number; "max" (cgroup v2's no
// limit) reads as unlimited.
func number(name string) (uint64, bool) {
	b, err := os.ReadFile(name)
	if err != nil {
		return 0, false
	}
	s := string(bytes.TrimSpace(b))
	if s == "max" {
		return unlimited, true
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// meminfo reads the kB figure of key from a /proc/meminfo file.
func meminfo(name, key string) (uint64, bool) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key+":")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return v, err == nil
	}
	return 0, false
}
