package net

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests here write safetensors files in F16, BF16 and F64 with their
// own encoder, written from the format's description and IEEE 754, not
// with the package's code.

// halfBits encodes v as an IEEE 754 binary16, failing unless v is exactly
// representable.
func halfBits(t testing.TB, v float32) uint16 {
	t.Helper()
	b := math.Float32bits(v)
	sign := uint16(b>>16) & 0x8000
	a := math.Abs(float64(v))
	switch {
	case math.IsNaN(a):
		require.Zero(t, b&0x1fff, "NaN %#08x: payload does not fit F16", b)
		return sign | 0x7c00 | uint16(b>>13&0x3ff)
	case math.IsInf(a, 0):
		return sign | 0x7c00
	case a < 0x1p-14: // zero or subnormal, k × 2⁻²⁴
		k := a * (1 << 24)
		require.Equal(t, math.Trunc(k), k, "%g is not a multiple of 2⁻²⁴", v)
		return sign | uint16(k)
	}
	frac, exp := math.Frexp(a) // a = frac × 2^exp, frac in [0.5, 1)
	m := (2*frac - 1) * 1024
	require.Equal(t, math.Trunc(m), m, "%g needs more than 10 fraction bits", v)
	e := exp - 1 + 15
	require.True(t, e >= 1 && e <= 30, "%g is outside F16's range", v)
	return sign | uint16(e)<<10 | uint16(m)
}

// bfloatBits encodes v as a bfloat16, the top half of its float32 bits,
// failing unless the bottom half is zero.
func bfloatBits(t testing.TB, v float32) uint16 {
	t.Helper()
	b := math.Float32bits(v)
	require.Zero(t, b&0xffff, "%#08x does not fit BF16", b)
	return uint16(b >> 16)
}

// doubleBits widens v to an IEEE 754 binary64: exact for numbers, and a
// NaN keeps its sign and payload at the top of the wider fraction.
func doubleBits(v float32) uint64 {
	b := math.Float32bits(v)
	if v != v {
		return uint64(b>>31)<<63 | 0x7ff<<52 | uint64(b&0x7fffff)<<29
	}
	return math.Float64bits(float64(v))
}

// appendValue appends v in dtype to data.
func appendValue(t testing.TB, data []byte, dtype string, v float32) []byte {
	switch dtype {
	case "F32":
		return binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	case "F16":
		return binary.LittleEndian.AppendUint16(data, halfBits(t, v))
	case "BF16":
		return binary.LittleEndian.AppendUint16(data, bfloatBits(t, v))
	case "F64":
		return binary.LittleEndian.AppendUint64(data, doubleBits(v))
	}
	t.Fatalf("no encoder for %s", dtype)
	return nil
}

// encodeModel writes m as a safetensors file with each tensor in the
// dtype dtypeOf gives it, with the metadata Save writes.
func encodeModel(t testing.TB, m *Model, dtypeOf func(name string) string) []byte {
	header := map[string]any{}
	var data []byte
	add := func(name string, v []float32, shape ...int) {
		begin := len(data)
		dtype := dtypeOf(name)
		for _, f := range v {
			data = appendValue(t, data, dtype, f)
		}
		header[name] = map[string]any{"dtype": dtype, "shape": shape, "data_offsets": []int{begin, len(data)}}
	}
	sizes := make([]string, len(m.Sizes))
	for i, s := range m.Sizes {
		sizes[i] = strconv.Itoa(s)
	}
	for l := range m.Layers() {
		add(fmt.Sprintf("dense_%d.kernel", l), m.W[l], m.Sizes[l], m.Sizes[l+1])
		add(fmt.Sprintf("dense_%d.bias", l), m.B[l], m.Sizes[l+1])
	}
	header["__metadata__"] = map[string]string{
		"sizes":       strings.Join(sizes, ","),
		"activations": strings.Repeat("relu,", m.Layers()-1) + "softmax",
		"crc32c":      fmt.Sprintf("%08x", crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))),
	}
	h, err := json.Marshal(header)
	require.NoError(t, err)
	return rawFile(string(h), data)
}

// roundTo rounds v to a value dtype holds exactly, so a model of such
// values survives the trip through a file of that dtype bit for bit.
func roundTo(dtype string, v float32) float32 {
	b := math.Float32bits(v)
	nan := func(keep uint32) float32 { // a NaN with a payload dtype holds
		b &= keep
		if b&0x7fffff == 0 {
			b |= 0x400000
		}
		return math.Float32frombits(b)
	}
	switch dtype {
	case "BF16":
		if v != v {
			return nan(0xffff0000)
		}
		return math.Float32frombits(b &^ 0xffff)
	case "F16":
		a := math.Abs(float64(v))
		switch {
		case v != v:
			return nan(^uint32(0x1fff))
		case math.IsInf(a, 0):
			return v
		case a > 65504:
			return float32(math.Copysign(65504, float64(v)))
		case a < 0x1p-14:
			return float32(math.Copysign(math.Round(a*(1<<24))/(1<<24), float64(v)))
		}
		return math.Float32frombits(b &^ 0x1fff)
	}
	return v
}

func roundModel(m *Model, dtype string) *Model {
	c := m.Clone()
	for l := range c.W {
		for _, v := range [][]float32{c.W[l], c.B[l]} {
			for i := range v {
				v[i] = roundTo(dtype, v[i])
			}
		}
	}
	return c
}

// TestLoadDtypesRoundTrip saves a model, loads it, writes its tensors in
// another dtype and loads that file: the model must come back bit for
// bit, ±0, ±Inf, NaN payloads and subnormals included.
func TestLoadDtypesRoundTrip(t *testing.T) {
	valueBytes := map[string]int{"F32": 4, "F16": 2, "BF16": 2, "F64": 8}
	dir := t.TempDir()
	for _, dtype := range []string{"F32", "F16", "BF16", "F64"} {
		for _, base := range []*Model{special(t), must(New([]int{784, 15, 10}, 3))} {
			t.Run(fmt.Sprintf("%s %v", dtype, base.Sizes), func(t *testing.T) {
				m := roundModel(base, dtype)
				if dtype == "F16" {
					// A subnormal half and the largest half.
					m.B[0][0], m.B[0][1] = 0x1p-24, -65504
				}
				saved := filepath.Join(dir, "saved.safetensors")
				require.NoError(t, m.Save(saved))
				loaded, err := Load(saved)
				require.NoError(t, err)

				b := encodeModel(t, loaded, func(string) string { return dtype })
				n := binary.LittleEndian.Uint64(b)
				require.Len(t, b[8+n:], valueBytes[dtype]*m.Params(), "the data is %s", dtype)
				path := filepath.Join(dir, dtype+".safetensors")
				require.NoError(t, os.WriteFile(path, b, 0o644))
				got, err := Load(path)
				require.NoError(t, err)
				bitsEqual(t, m, got)
				got, err = UnmarshalSafetensors(b)
				require.NoError(t, err)
				bitsEqual(t, m, got)
			})
		}
	}
}

// TestLoadMixedDtypes loads a file whose tensors each have their own
// dtype.
func TestLoadMixedDtypes(t *testing.T) {
	m := roundModel(roundModel(must(New([]int{6, 5, 4, 3}, 2)), "F16"), "BF16")
	dtypes := map[string]string{"dense_0.kernel": "F16", "dense_0.bias": "F64", "dense_1.kernel": "BF16",
		"dense_1.bias": "F32", "dense_2.kernel": "F64", "dense_2.bias": "BF16"}
	got, err := UnmarshalSafetensors(encodeModel(t, m, func(name string) string { return dtypes[name] }))
	require.NoError(t, err)
	bitsEqual(t, m, got)
}

// loadKernel loads a one-layer model whose 1×n kernel holds data in
// dtype, and returns the kernel's float32 bits.
func loadKernel(dtype string, n int, data []byte) ([]uint32, error) {
	header := fmt.Sprintf(`{"dense_0.kernel":{"dtype":%q,"shape":[1,%d],"data_offsets":[0,%d]},"dense_0.bias":{"dtype":"F32","shape":[%d],"data_offsets":[%d,%d]}}`,
		dtype, n, len(data), n, len(data), len(data)+4*n)
	m, err := UnmarshalSafetensors(rawFile(header, append(data, make([]byte, 4*n)...)))
	if err != nil {
		return nil, err
	}
	out := make([]uint32, n)
	for i, v := range m.W[0] {
		out[i] = math.Float32bits(v)
	}
	return out, nil
}

// TestLoadSpecialValues checks the conversions of F16, BF16 and F64
// values against float32 bits worked out by hand.
func TestLoadSpecialValues(t *testing.T) {
	cases := []struct {
		dtype string
		in    uint64 // the value's bits in dtype
		want  uint32 // its float32 bits
		what  string
	}{
		{"F16", 0x0000, 0x00000000, "+0"},
		{"F16", 0x8000, 0x80000000, "-0"},
		{"F16", 0x0001, 0x33800000, "smallest subnormal, 2⁻²⁴"},
		{"F16", 0x8001, 0xb3800000, "-2⁻²⁴"},
		{"F16", 0x0200, 0x38000000, "subnormal 2⁻¹⁵"},
		{"F16", 0x03ff, 0x387fc000, "largest subnormal, 1023 × 2⁻²⁴"},
		{"F16", 0x0400, 0x38800000, "smallest normal, 2⁻¹⁴"},
		{"F16", 0x3c00, 0x3f800000, "1"},
		{"F16", 0xc000, 0xc0000000, "-2"},
		{"F16", 0x3555, 0x3eaaa000, "0.33325195"},
		{"F16", 0x7bff, 0x477fe000, "largest, 65504"},
		{"F16", 0x7c00, 0x7f800000, "+Inf"},
		{"F16", 0xfc00, 0xff800000, "-Inf"},
		{"F16", 0x7e00, 0x7fc00000, "quiet NaN"},
		{"F16", 0x7d01, 0x7fa02000, "signalling NaN keeps its payload"},
		{"F16", 0xfe01, 0xffc02000, "negative NaN keeps sign and payload"},
		{"BF16", 0x0000, 0x00000000, "+0"},
		{"BF16", 0x8000, 0x80000000, "-0"},
		{"BF16", 0x0001, 0x00010000, "smallest subnormal, 2⁻¹³³"},
		{"BF16", 0x807f, 0x807f0000, "largest negative subnormal"},
		{"BF16", 0x0080, 0x00800000, "smallest normal, 2⁻¹²⁶"},
		{"BF16", 0x3f80, 0x3f800000, "1"},
		{"BF16", 0xbfc0, 0xbfc00000, "-1.5"},
		{"BF16", 0x7f7f, 0x7f7f0000, "largest"},
		{"BF16", 0x7f80, 0x7f800000, "+Inf"},
		{"BF16", 0xff80, 0xff800000, "-Inf"},
		{"BF16", 0x7fc0, 0x7fc00000, "quiet NaN"},
		{"BF16", 0x7f81, 0x7f810000, "signalling NaN"},
		{"BF16", 0xffff, 0xffff0000, "negative NaN, all payload bits"},
		{"F64", 0x3ff0000000000000, 0x3f800000, "1"},
		{"F64", 0x3fb999999999999a, 0x3dcccccd, "0.1 rounds up"},
		{"F64", 0x3ff0000010000000, 0x3f800000, "1 + 2⁻²⁴, a tie, to even 1"},
		{"F64", 0x3ff0000030000000, 0x3f800002, "1 + 3 × 2⁻²⁴, a tie, to even 1 + 2⁻²²"},
		{"F64", 0x3ff0000010000001, 0x3f800001, "just above the tie 1 + 2⁻²⁴, up"},
		{"F64", 0x3ff000000fffffff, 0x3f800000, "just below the tie 1 + 2⁻²⁴, down"},
		{"F64", 0xbff0000010000000, 0xbf800000, "-(1 + 2⁻²⁴), to even -1"},
		{"F64", 0x36a0000000000000, 0x00000001, "2⁻¹⁴⁹, smallest float32 subnormal"},
		{"F64", 0x36a8000000000000, 0x00000002, "1.5 × 2⁻¹⁴⁹, a tie, to even 2⁻¹⁴⁸"},
		{"F64", 0x3698000000000000, 0x00000001, "0.75 × 2⁻¹⁴⁹, up to 2⁻¹⁴⁹"},
		{"F64", 0x3690000000000000, 0x00000000, "2⁻¹⁵⁰, a tie, to even 0"},
		{"F64", 0x3690000000000001, 0x00000001, "just above 2⁻¹⁵⁰, up"},
		{"F64", 0x0000000000000001, 0x00000000, "2⁻¹⁰⁷⁴ underflows to 0"},
		{"F64", 0x8000000000000001, 0x80000000, "-2⁻¹⁰⁷⁴ underflows to -0"},
		{"F64", 0x8000000000000000, 0x80000000, "-0"},
		{"F64", 0x47efffffe0000000, 0x7f7fffff, "largest float32"},
		{"F64", 0x47efffffefffffff, 0x7f7fffff, "just below the tie with 2¹²⁸, down to the largest"},
		{"F64", 0x7ff0000000000000, 0x7f800000, "+Inf"},
		{"F64", 0xfff0000000000000, 0xff800000, "-Inf"},
		{"F64", 0x7ff8000000000000, 0x7fc00000, "quiet NaN"},
		{"F64", 0xfff4000000000000, 0xffa00000, "signalling NaN keeps sign and payload"},
		{"F64", 0x7ff0000000000001, 0x7fc00000, "NaN with a payload below float32's, made quiet"},
		{"F64", 0x7ff800001fffffff, 0x7fc00000, "NaN, low payload bits dropped"},
		{"F64", 0x7ff80000ffffffff, 0x7fc00007, "NaN, its top 23 payload bits kept"},
	}
	for _, c := range cases {
		t.Run(c.dtype+" "+c.what, func(t *testing.T) {
			var data []byte
			switch c.dtype {
			case "F64":
				data = binary.LittleEndian.AppendUint64(nil, c.in)
			default:
				data = binary.LittleEndian.AppendUint16(nil, uint16(c.in))
			}
			got, err := loadKernel(c.dtype, 1, data)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%#08x", c.want), fmt.Sprintf("%#08x", got[0]))
		})
	}
	// The hand-worked bits name the values they mean.
	assert.Equal(t, float32(0x1p-24), math.Float32frombits(0x33800000))
	assert.Equal(t, float32(1023*0x1p-24), math.Float32frombits(0x387fc000))
	assert.Equal(t, float32(65504), math.Float32frombits(0x477fe000))
	assert.Equal(t, math.MaxFloat32, float64(math.Float32frombits(0x7f7fffff)))
	assert.Equal(t, float32(0x1p-133), math.Float32frombits(0x00010000))
	assert.Equal(t, float32(0.1), math.Float32frombits(0x3dcccccd))
}

// TestLoadAllHalves converts every F16 and every BF16 bit pattern and
// checks each against its value worked out from the fields.
func TestLoadAllHalves(t *testing.T) {
	var data []byte
	for h := range 1 << 16 {
		data = binary.LittleEndian.AppendUint16(data, uint16(h))
	}
	for _, c := range []struct {
		dtype     string
		fracBits  int // fraction bits
		bias      int // exponent bias
		expFields int // exponent bits
	}{{"F16", 10, 15, 5}, {"BF16", 7, 127, 8}} {
		got, err := loadKernel(c.dtype, 1<<16, data)
		require.NoError(t, err, c.dtype)
		maxExp := 1<<c.expFields - 1
		for h, g := range got {
			neg := h>>15 == 1
			exp := h >> c.fracBits & maxExp
			frac := h & (1<<c.fracBits - 1)
			var want float64
			switch {
			case exp == maxExp && frac != 0:
				// NaN: the payload moves to the top of float32's fraction.
				wantBits := uint32(h>>15)<<31 | 0x7f800000 | uint32(frac)<<(23-c.fracBits)
				require.Equal(t, wantBits, g, "%s %#04x", c.dtype, h)
				continue
			case exp == maxExp:
				want = math.Inf(1)
			case exp == 0:
				want = math.Ldexp(float64(frac), 1-c.bias-c.fracBits)
			default:
				want = math.Ldexp(float64(1<<c.fracBits+frac), exp-c.bias-c.fracBits)
			}
			if neg {
				want = -want
			}
			require.Equal(t, want, float64(math.Float32frombits(g)), "%s %#04x", c.dtype, h)
			require.Equal(t, neg, g>>31 == 1, "%s %#04x: sign", c.dtype, h)
		}
	}
}

// TestLoadF64TooLarge refuses F64 values that would round to ±Inf in
// float32, naming the tensor and the element.
func TestLoadF64TooLarge(t *testing.T) {
	dir := t.TempDir()
	f64 := func(v ...float64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	tie := math.Float64frombits(0x47efffffe0000000 + 0x10000000) // 2¹²⁸ − 2¹⁰³, halfway from the largest float32 to 2¹²⁸
	cases := []struct {
		name   string
		kernel []float64 // 2×2
		bias   []float64
		msg    string
	}{
		{"tie rounds to Inf", []float64{1, tie, 0, 0}, []float64{0, 0}, `tensor "dense_0.kernel": F64 value 3.4028235677973366e+38 at [0 1] is too large for float32`},
		{"negative", []float64{1, 2, 3, -1e39}, []float64{0, 0}, `tensor "dense_0.kernel": F64 value -1e+39 at [1 1] is too large for float32`},
		{"bias", []float64{1, 2, 3, 4}, []float64{0, 1e300}, `tensor "dense_0.bias": F64 value 1e+300 at [1] is too large for float32`},
		{"largest finite", []float64{math.MaxFloat64, 0, 0, 0}, []float64{0, 0}, `tensor "dense_0.kernel": F64 value 1.7976931348623157e+308 at [0 0] is too large for float32`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			header := `{"dense_0.kernel":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]},"dense_0.bias":{"dtype":"F64","shape":[2],"data_offsets":[32,48]}}`
			path := filepath.Join(dir, "big.safetensors")
			require.NoError(t, os.WriteFile(path, rawFile(header, append(f64(c.kernel...), f64(c.bias...)...)), 0o644))
			m, err := Load(path)
			assert.Nil(t, m)
			assert.EqualError(t, err, "net: "+path+": safetensors: "+c.msg)
		})
	}
}

// TestLoadRefusesDtypes refuses every dtype but F32, F16, BF16 and F64,
// naming the dtype and the tensor.
func TestLoadRefusesDtypes(t *testing.T) {
	dir := t.TempDir()
	for _, dtype := range []string{"BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2", "I16", "U16", "I32", "U32", "I64", "U64", "C64", "f32", "F32 ", "bf16"} {
		for _, tensor := range []string{"dense_0.kernel", "dense_0.bias"} {
			t.Run(dtype+" "+tensor, func(t *testing.T) {
				dt := map[string]string{"dense_0.kernel": "F32", "dense_0.bias": "F32"}
				dt[tensor] = dtype
				header := fmt.Sprintf(`{"dense_0.kernel":{"dtype":%q,"shape":[1,2],"data_offsets":[0,8]},"dense_0.bias":{"dtype":%q,"shape":[2],"data_offsets":[8,16]}}`,
					dt["dense_0.kernel"], dt["dense_0.bias"])
				path := filepath.Join(dir, "model.safetensors")
				require.NoError(t, os.WriteFile(path, rawFile(header, make([]byte, 16)), 0o644))
				m, err := Load(path)
				assert.Nil(t, m)
				shown := dtype
				if strings.Contains(dtype, " ") {
					shown = strconv.Quote(dtype)
				}
				assert.EqualError(t, err, fmt.Sprintf("net: %s: safetensors: tensor %q has dtype %s; want F32, F16, BF16 or F64", path, tensor, shown))
			})
		}
	}
}

// TestLoadDtypeSizes refuses tensors whose byte span does not match their
// shape in their dtype.
func TestLoadDtypeSizes(t *testing.T) {
	cases := []struct {
		dtype   string
		in, out uint64
		bytes   int
		msg     string
		loaded  bool
	}{
		{"F16", 2, 3, 12, "", true},
		{"F16", 2, 3, 24, "tensor dense_0.kernel: shape [2 3] of F16 needs 12 bytes, data_offsets give 24", false},
		{"BF16", 2, 3, 13, "tensor dense_0.kernel: shape [2 3] of BF16 needs 12 bytes, data_offsets give 13", false},
		{"BF16", 2, 3, 6, "tensor dense_0.kernel: shape [2 3] of BF16 needs 12 bytes, data_offsets give 6", false},
		{"F64", 2, 3, 48, "", true},
		{"F64", 2, 3, 24, "tensor dense_0.kernel: shape [2 3] of F64 needs 48 bytes, data_offsets give 24", false},
		{"F64", 1 << 32, 1 << 32, 24, "tensor dense_0.kernel: shape [4294967296 4294967296] of F64 needs more than 2⁶⁴ bytes, data_offsets give 24", false},
		{"F16", 1 << 31, 1 << 31, 24, "tensor dense_0.kernel: shape [2147483648 2147483648] of F16 needs 9223372036854775808 bytes, data_offsets give 24", false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s [%d %d] in %d bytes", c.dtype, c.in, c.out, c.bytes), func(t *testing.T) {
			header := fmt.Sprintf(`{"dense_0.kernel":{"dtype":%q,"shape":[%d,%d],"data_offsets":[0,%d]},"dense_0.bias":{"dtype":"F32","shape":[%d],"data_offsets":[%d,%d]}}`,
				c.dtype, c.in, c.out, c.bytes, c.out, c.bytes, c.bytes+12)
			m, err := UnmarshalSafetensors(rawFile(header, make([]byte, c.bytes+12)))
			if c.loaded {
				require.NoError(t, err)
				assert.Equal(t, []int{2, 3}, m.Sizes)
				return
			}
			assert.Nil(t, m)
			assert.ErrorContains(t, err, "net: safetensors: "+c.msg)
		})
	}
}
