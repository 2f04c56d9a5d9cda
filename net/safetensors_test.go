package net

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bitsEqual compares two models bit for bit, NaN payloads included.
func bitsEqual(t *testing.T, want, got *Model) {
	t.Helper()
	require.Equal(t, want.Sizes, got.Sizes)
	require.Len(t, got.W, len(want.W))
	for l := range want.W {
		for _, p := range []struct {
			name string
			w, g []float32
		}{{"W", want.W[l], got.W[l]}, {"B", want.B[l], got.B[l]}} {
			require.Len(t, p.g, len(p.w), "%s[%d]", p.name, l)
			for i := range p.w {
				require.Equal(t, math.Float32bits(p.w[i]), math.Float32bits(p.g[i]), "%s[%d][%d]", p.name, l, i)
			}
		}
	}
}

// special is a small model whose parameters include every kind of float32.
func special(t *testing.T) *Model {
	m, err := New([]int{5, 4, 3, 2}, 7)
	require.NoError(t, err)
	copy(m.W[0], []float32{float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa00000), math.SmallestNonzeroFloat32, math.MaxFloat32})
	m.B[1][1] = -1.5
	return m
}

func TestSaveLoadExact(t *testing.T) {
	dir := t.TempDir()
	for _, m := range []*Model{special(t), must(New([]int{784, 15, 10}, 1)), must(New([]int{3, 2}, 2))} {
		path := filepath.Join(dir, "m.safetensors")
		require.NoError(t, m.Save(path))
		got, err := Load(path)
		require.NoError(t, err)
		bitsEqual(t, m, got)
		require.NoError(t, got.Validate())
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary files left behind")
}

func must(m *Model, err error) *Model {
	if err != nil {
		panic(err)
	}
	return m
}

// TestFileLayout checks the bytes against the safetensors format
// independently of the loader.
func TestFileLayout(t *testing.T) {
	m := must(New([]int{3, 2, 2}, 1))
	b, err := m.MarshalSafetensors()
	require.NoError(t, err)
	n := binary.LittleEndian.Uint64(b)
	assert.Zero(t, (8+n)%8, "data is 8-byte aligned")
	var header map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b[8:8+n], &header))
	var meta map[string]string
	require.NoError(t, json.Unmarshal(header["__metadata__"], &meta))
	data := b[8+n:]
	assert.Equal(t, map[string]string{"sizes": "3,2,2", "activations": "relu,softmax",
		"crc32c": fmt.Sprintf("%08x", crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))}, meta)
	var k0 tensorInfo
	require.NoError(t, json.Unmarshal(header["dense_0.kernel"], &k0))
	assert.Equal(t, tensorInfo{"F32", []uint64{3, 2}, []uint64{0, 24}}, k0)
	var b1 tensorInfo
	require.NoError(t, json.Unmarshal(header["dense_1.bias"], &b1))
	assert.Equal(t, tensorInfo{"F32", []uint64{2}, []uint64{24 + 8 + 16, 24 + 8 + 16 + 8}}, b1)
	assert.Len(t, data, 4*m.Params())
	// Row p of the kernel holds the weights fed by input p, little-endian.
	assert.Equal(t, math.Float32bits(m.W[0][1*2+1]), binary.LittleEndian.Uint32(data[4*(1*2+1):]))
}

// rawFile assembles a safetensors file from a header and data.
func rawFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestLoadRejects(t *testing.T) {
	d8 := make([]byte, 8)
	d16 := make([]byte, 16)
	// A valid 1-layer 1×2 model: kernel [1,2] (8 bytes), bias [2] (8 bytes).
	ok := `{"dense_0.kernel":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"dense_0.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`
	_, err := UnmarshalSafetensors(rawFile(ok, d16))
	require.NoError(t, err, "the base case is valid")
	tensors := func(k, b string) string {
		return `{"dense_0.kernel":` + k + `,"dense_0.bias":` + b + `}`
	}
	kOK := `{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}`
	bOK := `{"dtype":"F32","shape":[2],"data_offsets":[8,16]}`
	cases := []struct {
		name string
		file []byte
		msg  string
	}{
		{"empty", nil, "0 bytes, too short for the 8-byte header length"},
		{"header past end", binary.LittleEndian.AppendUint64(nil, 100), "header length 100 runs past the end of the 8-byte file"},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, math.MaxUint64), "header length 18446744073709551615 runs past the end"},
		{"not an object", rawFile(`[1,2]`, nil), "does not start with '{'"},
		{"bad json", rawFile(`{"a":`, nil), "safetensors header: \"a\": unexpected EOF"},
		{"not utf-8", rawFile("{\"__metadata__\":{\"x\":\"\xff\"}}", nil), "safetensors header: not valid UTF-8"},
		{"trailing junk", rawFile(ok+"x", d16), "unexpected bytes after the JSON object"},
		{"duplicate", rawFile(`{"dense_0.bias":`+bOK+`,"dense_0.bias":`+bOK+`}`, d16), `"dense_0.bias" appears twice`},
		{"metadata not strings", rawFile(`{"__metadata__":{"sizes":[1,2]}}`, nil), "__metadata__ must map names to strings"},
		{"unknown field", rawFile(tensors(`{"dtype":"F32","shape":[1,2],"data_offsets":[0,8],"x":1}`, bOK), d16), `tensor "dense_0.kernel": unknown field "x" (want dtype, shape, data_offsets)`},
		// encoding/json alone would match these without regard to case and
		// keep the last of two of a name.
		{"field in other case", rawFile(tensors(`{"DTYPE":"F32","shape":[1,2],"data_offsets":[0,8]}`, bOK), d16), `tensor "dense_0.kernel": unknown field "DTYPE" (want dtype, shape, data_offsets)`},
		{"field twice", rawFile(tensors(`{"dtype":"I32","dtype":"F32","shape":[1,2],"data_offsets":[0,8]}`, bOK), d16), `tensor "dense_0.kernel": "dtype" appears twice`},
		{"metadata twice", rawFile(`{"__metadata__":{"crc32c":"deadbeef","crc32c":"00000000"},`+ok[1:], d16), `__metadata__: "crc32c" appears twice`},
		{"missing field", rawFile(tensors(`{"dtype":"F32","shape":[1,2]}`, bOK), d16), `tensor "dense_0.kernel": want dtype, shape and data_offsets`},
		{"negative shape", rawFile(tensors(`{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}`, bOK), d16), `tensor "dense_0.kernel": json: cannot unmarshal number -1`},
		{"offsets past data", rawFile(tensors(`{"dtype":"F32","shape":[1,2],"data_offsets":[0,80]}`, bOK), d16), `tensor "dense_0.kernel": data_offsets [0, 80] are not inside the 16 data bytes`},
		{"offsets reversed", rawFile(tensors(`{"dtype":"F32","shape":[1,2],"data_offsets":[8,0]}`, bOK), d16), `data_offsets [8, 0] are not inside`},
		{"three offsets", rawFile(tensors(`{"dtype":"F32","shape":[1,2],"data_offsets":[0,8,9]}`, bOK), d16), `data_offsets has 3 entries, want 2`},
		{"overlap", rawFile(tensors(`{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}`, `{"dtype":"F32","shape":[2],"data_offsets":[4,12]}`), d16), `tensor "dense_0.bias": data_offsets [4, 12] overlap tensor "dense_0.kernel", which ends at 8`},
		{"hole", rawFile(tensors(kOK, `{"dtype":"F32","shape":[1],"data_offsets":[12,16]}`), d16), "data bytes 8 to 12 belong to no tensor"},
		{"trailing data", rawFile(ok, make([]byte, 20)), "data bytes 16 to 20 belong to no tensor"},
		{"dtype", rawFile(tensors(`{"dtype":"I32","shape":[1,2],"data_offsets":[0,8]}`, bOK), d16), `tensor "dense_0.kernel" has dtype I32; want F32, F16, BF16 or F64`},
		{"dtype size mismatch", rawFile(tensors(`{"dtype":"F16","shape":[1,2],"data_offsets":[0,8]}`, bOK), d16), "tensor dense_0.kernel: shape [1 2] of F16 needs 4 bytes, data_offsets give 8"},
		{"kernel rank", rawFile(tensors(`{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`, bOK), d16), "tensor dense_0.kernel: shape [2], want 2 dimensions"},
		{"bias rank", rawFile(tensors(kOK, `{"dtype":"F32","shape":[1,2],"data_offsets":[8,16]}`), d16), "tensor dense_0.bias: shape [1 2], want 1 dimension"},
		{"zero dim", rawFile(tensors(`{"dtype":"F32","shape":[0,2],"data_offsets":[0,8]}`, bOK), d16), "shape [0 2] has a zero dimension"},
		{"bias mismatch", rawFile(tensors(`{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}`, bOK), d16), "tensor dense_0.bias: shape [2], want [1] to match dense_0.kernel [2 1]"},
		{"size mismatch", rawFile(tensors(`{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}`, bOK), d16), "tensor dense_0.kernel: shape [2 2] of F32 needs 16 bytes, data_offsets give 8"},
		{"overflowing shape", rawFile(tensors(`{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}`, `{"dtype":"F32","shape":[4294967296],"data_offsets":[8,16]}`), d16), "needs more than 2⁶⁴ bytes"},
		{"no tensors", rawFile(`{}`, nil), "no tensors"},
		{"odd count", rawFile(`{"dense_0.kernel":`+kOK+`}`, d8), "1 tensors: want a kernel and a bias per layer"},
		{"unknown tensor", rawFile(`{"dense_0.kernel":`+kOK+`,"extra":`+bOK+`}`, d16), `unexpected tensor "extra"`},
		{"leading zero", rawFile(`{"dense_00.kernel":`+kOK+`,"dense_0.bias":`+bOK+`}`, d16), `unexpected tensor "dense_00.kernel"`},
		{"sizes", rawFile(`{"__metadata__":{"sizes":"1,3"},`+ok[1:], d16), `metadata: sizes "1,3", but the tensors give 1,2`},
		{"activations", rawFile(`{"__metadata__":{"activations":"tanh"},`+ok[1:], d16), `activations "tanh": only "softmax" is supported for 1 layers`},
		{"bad crc", rawFile(`{"__metadata__":{"crc32c":"zz"},`+ok[1:], d16), `crc32c "zz" is not 8 hex digits`},
		{"crc mismatch", rawFile(`{"__metadata__":{"crc32c":"00000001"},`+ok[1:], d16), "crc32c of the tensor data is"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := UnmarshalSafetensors(c.file)
			assert.Nil(t, m)
			assert.ErrorContains(t, err, c.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "net: safetensors"), err.Error())
		})
	}
}

func TestLoadChaining(t *testing.T) {
	m := must(New([]int{3, 4, 2}, 1))
	b, err := m.MarshalSafetensors()
	require.NoError(t, err)
	// Rewrite the second kernel's shape from [4,2] to [2,4]: same bytes,
	// but it no longer chains.
	bad := bytes.Replace(b, []byte(`"shape":[4,2]`), []byte(`"shape":[2,4]`), 1)
	require.NotEqual(t, b, bad)
	_, err = UnmarshalSafetensors(bad)
	assert.ErrorContains(t, err, "tensor dense_1.kernel: shape [2 4] does not chain: layer 0 has 4 outputs")
}

// TestLoadWithoutMetadata loads a file another tool wrote with only the
// tensors: the sizes come from the shapes.
func TestLoadWithoutMetadata(t *testing.T) {
	data := make([]byte, 0, 16)
	for _, v := range []float32{1, 2, -3, 0.5} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	f := rawFile(`{"__metadata__":{"format":"pt"},"dense_0.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"dense_0.kernel":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}`, data)
	m, err := UnmarshalSafetensors(f)
	require.NoError(t, err)
	assert.Equal(t, &Model{Sizes: []int{1, 2}, W: [][]float32{{1, 2}}, B: [][]float32{{-3, 0.5}}}, m)
}

func TestLoadTruncatedAndFlipped(t *testing.T) {
	m := must(New([]int{4, 3, 2}, 5))
	b, err := m.MarshalSafetensors()
	require.NoError(t, err)
	for n := range len(b) {
		_, err := UnmarshalSafetensors(b[:n])
		require.Error(t, err, "truncated to %d of %d bytes", n, len(b))
	}
	caught := 0
	for i := range b {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			c := bytes.Clone(b)
			c[i] ^= mask
			got, err := UnmarshalSafetensors(c)
			if err != nil {
				caught++
				continue
			}
			// A flip that loads must have left the model intact (a flip in
			// a metadata key name, say, which only drops that check).
			bitsEqual(t, m, got)
		}
	}
	assert.Greater(t, caught, 3*len(b)*9/10, "nearly every flip is caught")
	// Every flip in the data is caught by the checksum.
	n := binary.LittleEndian.Uint64(b)
	for i := 8 + int(n); i < len(b); i++ {
		c := bytes.Clone(b)
		c[i] ^= 0x10
		_, err := UnmarshalSafetensors(c)
		require.ErrorContains(t, err, "the file is corrupt", "flip at byte %d", i)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.safetensors"))
	assert.ErrorContains(t, err, "no such file")
	_, err = Load(dir)
	assert.ErrorContains(t, err, "not a regular file")
	p := filepath.Join(dir, "bad.safetensors")
	require.NoError(t, os.WriteFile(p, []byte("hello"), 0o644))
	_, err = Load(p)
	assert.EqualError(t, err, "net: "+p+": safetensors: 5 bytes, too short for the 8-byte header length")
}

func TestSaveFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	good := must(New([]int{3, 2}, 1))
	require.NoError(t, good.Save(path))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	broken := good.Clone()
	broken.W[0] = broken.W[0][:1]
	assert.ErrorContains(t, broken.Save(path), "weights hold 1 values")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	assert.ErrorContains(t, good.Save(filepath.Join(dir, "sub")), "not a regular file")
	assert.Error(t, good.Save(filepath.Join(dir, "nodir", "m.safetensors")))

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 2, "only m.safetensors and sub: no temporary files")
}

func FuzzUnmarshalSafetensors(f *testing.F) {
	for _, sizes := range [][]int{{3, 2}, {4, 3, 2}} {
		b, err := must(New(sizes, 1)).MarshalSafetensors()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add(rawFile(`{"dense_0.kernel":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"dense_0.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, make([]byte, 16)))
	f.Add([]byte{})
	for _, dtype := range []string{"F16", "BF16", "F64"} {
		m := roundModel(must(New([]int{4, 3, 2}, 1)), dtype)
		f.Add(encodeModel(f, m, func(string) string { return dtype }))
	}
	if b, err := os.ReadFile(torchModel); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalSafetensors(b)
		// Load's path, which reads the header before the data, must agree.
		read, readErr := readModel(bytes.NewReader(b), uint64(len(b)))
		if fmt.Sprint(err) != fmt.Sprint(readErr) {
			t.Fatalf("UnmarshalSafetensors says %v, readModel %v", err, readErr)
		}
		if err != nil {
			if m != nil {
				t.Fatal("a model and an error")
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("loaded an invalid model: %v", err)
		}
		bitsEqual(t, m, read)
		again, err := m.MarshalSafetensors()
		if err != nil {
			t.Fatal(err)
		}
		m2, err := UnmarshalSafetensors(again)
		if err != nil {
			t.Fatalf("re-encoded model does not load: %v", err)
		}
		bitsEqual(t, m, m2)
	})
}

// TestLoadRefusesHugeClaims loads files whose header claims far more than
// they hold. Load must refuse each after reading the header, without
// reading the file, let alone what the header claims, into memory. The
// sparse files are 128 MiB long but take no disk space.
func TestLoadRefusesHugeClaims(t *testing.T) {
	const sparse = 128 << 20
	const tib = 1 << 40
	claim := func(end uint64) string {
		return fmt.Sprintf(`{"dense_0.kernel":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,%d]},"dense_0.bias":{"dtype":"F32","shape":[1048576],"data_offsets":[%d,%d]}}`, end-4<<20, end-4<<20, end)
	}
	cases := []struct {
		name   string
		header []byte // the file's start: header length, header
		size   int64  // the file's length, zeros after the header
		msg    string
	}{
		{"header length past a small file", binary.LittleEndian.AppendUint64(nil, tib), 64,
			"header length 1099511627776 runs past the end of the 64-byte file"},
		{"header length past a large file", binary.LittleEndian.AppendUint64(nil, tib), sparse,
			"header length 1099511627776 runs past the end of the 134217728-byte file"},
		{"header length over the limit", binary.LittleEndian.AppendUint64(nil, MaxHeaderBytes+1), sparse,
			"header length 104857601 is more than the 104857600 allowed"},
		{"tensors past a small file", rawFile(claim(tib), nil), 4096,
			`tensor "dense_0.bias": data_offsets [1099507433472, 1099511627776] are not inside the `},
		{"tensors past a large file", rawFile(claim(tib), nil), sparse,
			`tensor "dense_0.bias": data_offsets [1099507433472, 1099511627776] are not inside the `},
		{"tensors short of a large file", rawFile(claim(8<<20), nil), sparse,
			"belong to no tensor"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "huge.safetensors")
			f, err := os.Create(path)
			require.NoError(t, err)
			_, err = f.Write(c.header)
			require.NoError(t, err)
			require.NoError(t, f.Truncate(c.size))
			require.NoError(t, f.Close())

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := Load(path)
			runtime.ReadMemStats(&after)
			assert.Nil(t, m)
			assert.ErrorContains(t, err, c.msg)
			assert.True(t, strings.HasPrefix(err.Error(), "net: "+path+": safetensors: "), err.Error())
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Less(t, allocated, uint64(1<<20), "Load allocated %d bytes", allocated)
		})
	}
}

// TestLoadFileChangedSize reads files that shrink or grow between the
// size check and the read, as another writer could make them do.
func TestLoadFileChangedSize(t *testing.T) {
	b, err := must(New([]int{3, 2}, 1)).MarshalSafetensors()
	require.NoError(t, err)
	_, err = readModel(bytes.NewReader(b[:len(b)-1]), uint64(len(b)))
	assert.EqualError(t, err, fmt.Sprintf("net: safetensors: reading the %d data bytes: unexpected EOF", 4*(3*2+2)))
	_, err = readModel(bytes.NewReader(b[:20]), uint64(len(b)))
	assert.ErrorContains(t, err, "net: safetensors: reading the ")
	_, err = readModel(bytes.NewReader(append(b, 0)), uint64(len(b)))
	assert.EqualError(t, err, fmt.Sprintf("net: safetensors: more than the %d bytes the file held when opened", len(b)))
	m, err := readModel(bytes.NewReader(b), uint64(len(b)))
	require.NoError(t, err)
	bitsEqual(t, must(New([]int{3, 2}, 1)), m)
}

// TestMarshalRefusesWhatLoadRefuses: a file past the limit Load reads
// (MaxModelBytes) is not written, whether the weights or the header push
// it over; one at the limit is.
func TestMarshalRefusesWhatLoadRefuses(t *testing.T) {
	m, err := New([]int{4, 3, 2}, 1)
	require.NoError(t, err)
	b, err := m.MarshalSafetensors()
	require.NoError(t, err)
	got, err := m.marshal(int64(len(b)))
	require.NoError(t, err)
	assert.Equal(t, b, got)
	_, err = m.marshal(int64(len(b) - 1)) // the header's bytes push it over
	assert.EqualError(t, err, fmt.Sprintf("net: model 4-3-2: its file would hold more than %d bytes, the most Load reads", len(b)-1))
	_, err = m.marshal(int64(4*m.Params() - 4)) // the weights alone do
	assert.EqualError(t, err, fmt.Sprintf("net: model 4-3-2: its file would hold more than %d bytes, the most Load reads", 4*m.Params()-4))
}
