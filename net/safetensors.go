package net

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/simdnn/simdnn/internal/atomicfile"
)

// Model files use the safetensors format
// (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the tensor data. The
// header maps each tensor name to its dtype, shape and [begin, end) byte
// offsets into the data; the data is raw little-endian values.
//
// A model of L layers is stored as the tensors dense_0.kernel (Sizes[0]×
// Sizes[1], the Keras Dense layout: row p holds the weights fed by input
// p), dense_0.bias (Sizes[1]), …, dense_{L−1}.bias, all F32, contiguous in
// that order. The header's __metadata__ holds, as strings (the format
// allows only strings there):
//
//	"sizes":       the layer sizes, "784,15,10"
//	"activations": one per layer, "relu,softmax"
//	"crc32c":      the CRC-32C (Castagnoli) of the data bytes, 8 hex digits
//
// Files written by other tools may omit any of the three; the sizes then
// come from the tensor shapes. Whatever is present is checked.
//
// Save writes F32; Load also reads F16, BF16 and F64 (see Load).
const (
	// MaxHeaderBytes bounds a safetensors header, as the reference
	// implementation does.
	MaxHeaderBytes = 100 << 20
	// MaxModelBytes bounds a model file.
	MaxModelBytes = 1 << 31

	metaSizes       = "sizes"
	metaActivations = "activations"
	metaCRC         = "crc32c"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// tensorInfo is one header entry.
type tensorInfo struct {
	Dtype       string   `json:"dtype"`
	Shape       []uint64 `json:"shape"`
	DataOffsets []uint64 `json:"data_offsets"`
}

func kernelName(l int) string { return fmt.Sprintf("dense_%d.kernel", l) }
func biasName(l int) string   { return fmt.Sprintf("dense_%d.bias", l) }

// activations names the activation of each of n layers.
func activations(n int) string {
	return strings.Repeat("relu,", n-1) + "softmax"
}

// MarshalSafetensors encodes m as a safetensors file. A model whose file
// would pass MaxModelBytes, which Load refuses, is an error.
func (m *Model) MarshalSafetensors() ([]byte, error) { return m.marshal(MaxModelBytes) }

// marshal is MarshalSafetensors with files of more than limit bytes
// refused.
func (m *Model) marshal(limit int64) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	tooBig := fmt.Errorf("net: model %s: its file would hold more than %d bytes, the most Load reads", sizeList(m.Sizes), limit)
	if int64(m.Params()) > limit/4 {
		return nil, tooBig
	}
	data := make([]byte, 0, 4*m.Params())
	header := map[string]any{}
	add := func(name string, v []float32, shape ...int) {
		begin := len(data)
		for _, f := range v {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(f))
		}
		header[name] = tensorInfo{Dtype: "F32", Shape: toU64(shape), DataOffsets: []uint64{uint64(begin), uint64(len(data))}}
	}
	for l := range m.Layers() {
		add(kernelName(l), m.W[l], m.Sizes[l], m.Sizes[l+1])
		add(biasName(l), m.B[l], m.Sizes[l+1])
	}
	header["__metadata__"] = map[string]string{
		metaSizes:       joinInts(m.Sizes, ","),
		metaActivations: activations(m.Layers()),
		metaCRC:         fmt.Sprintf("%08x", crc32.Checksum(data, castagnoli)),
	}
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	// Pad the header with spaces so the data starts 8-byte aligned, as the
	// reference implementation does.
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if int64(8+len(h)+len(data)) > limit {
		return nil, tooBig
	}
	out := binary.LittleEndian.AppendUint64(make([]byte, 0, 8+len(h)+len(data)), uint64(len(h)))
	out = append(out, h...)
	return append(out, data...), nil
}

func toU64(s []int) []uint64 {
	out := make([]uint64, len(s))
	for i, v := range s {
		out[i] = uint64(v)
	}
	return out
}

// Save writes m to path as a safetensors file, atomically: path ends up
// holding either its previous content or the whole new file.
func (m *Model) Save(path string) error {
	b, err := m.MarshalSafetensors()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}); err != nil {
		return fmt.Errorf("net: saving model: %w", err)
	}
	return nil
}

// Load reads a model from a safetensors file written by Save (or by
// another tool, with the tensor names and layout Save uses).
//
// Each tensor may be F32, F16, BF16 or F64, and is converted to float32:
// F16 (IEEE 754 half precision, subnormals included) and BF16 exactly,
// since float32 holds each of their values, NaN payloads moved to the top
// of float32's; F64 to the nearest float32, ties to even, as float32(x)
// does. A finite F64 value too large for float32, one that would round to
// ±Inf, is refused with an error naming the tensor and the element; ±Inf
// stay infinite, and a NaN stays a NaN with its sign and the top 23 bits
// of its payload (quiet if those are all zero). Any other dtype is
// refused with an error naming it and the tensor.
//
// Load reads the header first and checks it against the file's size, so a file whose
// header claims more data than it holds is refused before any tensor data
// is read, and a model that cannot fit in the memory the process can have
// (CheckMemory) is refused with a *MemoryError; then it reads the data and
// checks it as UnmarshalSafetensors does.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("net: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("net: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("net: %s: not a regular file", path)
	}
	if fi.Size() > MaxModelBytes {
		return nil, fmt.Errorf("net: %s: %d bytes, more than the %d a model file may hold", path, fi.Size(), int64(MaxModelBytes))
	}
	m, err := readModel(f, uint64(fi.Size()))
	if err != nil {
		return nil, &fileError{path, err}
	}
	return m, nil
}

// fileError is an error of reading a file, prefixed with its path; it
// unwraps to the error (a *MemoryError, say).
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	return "net: " + e.path + ": " + strings.TrimPrefix(e.err.Error(), "net: ")
}

func (e *fileError) Unwrap() error { return e.err }

// readModel reads a model from r, which holds size bytes. It allocates
// the header and the data only after checking each against size.
func readModel(r io.Reader, size uint64) (*Model, error) {
	if err := checkFileLen(size); err != nil {
		return nil, err
	}
	var nb [8]byte
	if _, err := io.ReadFull(r, nb[:]); err != nil {
		return nil, fmt.Errorf("net: safetensors: reading the header length: %w", eofToUnexpected(err))
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if err := checkHeaderLen(n, size); err != nil {
		return nil, err
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("net: safetensors: reading the %d-byte header: %w", n, eofToUnexpected(err))
	}
	lo, err := checkHeader(header, size-8-n)
	if err != nil {
		return nil, err
	}
	var req need
	req.add("the file's data", size-8-n, 1)
	req.add("weights", params(lo.sizes), 4)
	if err := fits("loading a model "+sizeList(lo.sizes), req); err != nil {
		return nil, err
	}
	data := make([]byte, size-8-n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("net: safetensors: reading the %d data bytes: %w", len(data), eofToUnexpected(err))
	}
	var extra [1]byte
	if k, _ := io.ReadFull(r, extra[:]); k != 0 {
		return nil, fmt.Errorf("net: safetensors: more than the %d bytes the file held when opened", size)
	}
	return lo.model(data)
}

// UnmarshalSafetensors decodes a model from the bytes of a safetensors
// file. It checks the header length against the file, the JSON header,
// each tensor's name, dtype (F32, F16, BF16 or F64, converted to float32
// as Load describes), shape and offsets (inside the data, no overlaps,
// no holes, the span the shape and dtype need), that the shapes chain
// from layer to layer, the values (no F64 beyond float32's range), and
// the metadata, including the checksum when there is one. Whatever the
// header claims, it allocates no more than the model the bytes hold. It
// never panics.
func UnmarshalSafetensors(b []byte) (*Model, error) {
	if err := checkFileLen(uint64(len(b))); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(b)
	if err := checkHeaderLen(n, uint64(len(b))); err != nil {
		return nil, err
	}
	lo, err := checkHeader(b[8:8+n], uint64(len(b))-8-n)
	if err != nil {
		return nil, err
	}
	return lo.model(b[8+n:])
}

// checkFileLen checks a file of size bytes can hold the header length.
func checkFileLen(size uint64) error {
	if size < 8 {
		return fmt.Errorf("net: safetensors: %d bytes, too short for the 8-byte header length", size)
	}
	return nil
}

// checkHeaderLen checks the header length n against the file's size.
func checkHeaderLen(n, size uint64) error {
	if n > size-8 {
		return fmt.Errorf("net: safetensors: header length %d runs past the end of the %d-byte file", n, size)
	}
	if n > MaxHeaderBytes {
		return fmt.Errorf("net: safetensors: header length %d is more than the %d allowed", n, MaxHeaderBytes)
	}
	return nil
}

// layout is a checked header: the model's sizes and where each tensor's
// values lie, everything needed to decode the data.
type layout struct {
	meta    map[string]string
	sizes   []int
	tensors []tensorRef // dense_0.kernel, dense_0.bias, dense_1.kernel, …
}

// tensorRef is a checked tensor: rows×cols values at [begin, end) of the
// data.
type tensorRef struct {
	name       string
	dtype      string
	begin, end uint64
	rows, cols uint64
}

// checkHeader parses a header and checks it against the size of the data
// that follows it, without reading any of the data.
func checkHeader(h []byte, dataSize uint64) (*layout, error) {
	meta, tensors, err := parseHeader(h)
	if err != nil {
		return nil, fmt.Errorf("net: safetensors header: %w", err)
	}
	if err := checkOffsets(tensors, dataSize); err != nil {
		return nil, fmt.Errorf("net: safetensors: %w", err)
	}
	lo, err := planModel(tensors)
	if err != nil {
		return nil, fmt.Errorf("net: safetensors: %w", err)
	}
	lo.meta = meta
	return lo, nil
}

// model decodes the data a checked header describes and checks the
// metadata against it.
func (lo *layout) model(data []byte) (*Model, error) {
	m := &Model{Sizes: lo.sizes}
	for i, t := range lo.tensors {
		v, err := t.floats(data[t.begin:t.end])
		if err != nil {
			return nil, fmt.Errorf("net: safetensors: %w", err)
		}
		if i%2 == 0 {
			m.W = append(m.W, v)
		} else {
			m.B = append(m.B, v)
		}
	}
	if err := checkMeta(lo.meta, m, data); err != nil {
		return nil, fmt.Errorf("net: safetensors metadata: %w", err)
	}
	return m, nil
}

// parseHeader decodes the JSON header, rejecting duplicate names, unknown
// fields and anything after the object but the spaces that pad it.
func parseHeader(h []byte) (map[string]string, map[string]tensorInfo, error) {
	if len(h) == 0 || h[0] != '{' {
		return nil, nil, errors.New("does not start with '{'")
	}
	if !utf8.Valid(h) {
		return nil, nil, errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if _, err := dec.Token(); err != nil {
		return nil, nil, eofToUnexpected(err)
	}
	var meta map[string]string
	tensors := map[string]tensorInfo{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, eofToUnexpected(err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("key %v is not a string", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("%q appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("%q: %w", name, eofToUnexpected(err))
		}
		if name == "__metadata__" {
			if err := checkKeys(raw); err != nil {
				return nil, nil, fmt.Errorf("__metadata__: %w", err)
			}
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, nil, fmt.Errorf("__metadata__ must map names to strings: %w", err)
			}
			continue
		}
		if err := checkKeys(raw, "dtype", "shape", "data_offsets"); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		var ti tensorInfo
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&ti); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		if ti.Dtype == "" || ti.Shape == nil || ti.DataOffsets == nil {
			return nil, nil, fmt.Errorf("tensor %q: want dtype, shape and data_offsets", name)
		}
		tensors[name] = ti
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, eofToUnexpected(err)
	}
	rest := h[dec.InputOffset():]
	if len(bytes.Trim(rest, " ")) != 0 {
		return nil, nil, fmt.Errorf("unexpected bytes after the JSON object at offset %d", dec.InputOffset())
	}
	return meta, tensors, nil
}

// checkKeys reports a key that appears twice in the JSON object raw and,
// when allowed are given, one that is not exactly one of them: decoding
// into a map or a struct would keep the last of two silently, and
// encoding/json matches a struct's fields without regard to case. raw
// that is not an object passes: the decoding after it says what is wrong.
func checkKeys(raw json.RawMessage, allowed ...string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		if allowed != nil && !slices.Contains(allowed, key) {
			return fmt.Errorf("unknown field %q (want %s)", key, strings.Join(allowed, ", "))
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil
		}
	}
	return nil
}

// checkOffsets checks that every tensor lies inside the data and that
// together they cover it exactly, without overlaps or holes.
func checkOffsets(tensors map[string]tensorInfo, size uint64) error {
	names := slices.Sorted(maps.Keys(tensors)) // the first error is the same every time
	for _, name := range names {
		ti := tensors[name]
		if len(ti.DataOffsets) != 2 {
			return fmt.Errorf("tensor %q: data_offsets has %d entries, want 2", name, len(ti.DataOffsets))
		}
		begin, end := ti.DataOffsets[0], ti.DataOffsets[1]
		if begin > end || end > size {
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] are not inside the %d data bytes", name, begin, end, size)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		oa, ob := tensors[a].DataOffsets, tensors[b].DataOffsets
		if c := cmpU64(oa[0], ob[0]); c != 0 {
			return c
		}
		if c := cmpU64(oa[1], ob[1]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	var at uint64
	prev := ""
	for _, name := range names {
		o := tensors[name].DataOffsets
		switch {
		case o[0] < at:
			return fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q, which ends at %d", name, o[0], o[1], prev, at)
		case o[0] > at:
			return fmt.Errorf("data bytes %d to %d belong to no tensor", at, o[0])
		}
		at, prev = o[1], name
	}
	if at != size {
		return fmt.Errorf("data bytes %d to %d belong to no tensor", at, size)
	}
	return nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// planModel checks the tensors make a model: dense_0.kernel,
// dense_0.bias, … with shapes that chain and byte spans that match them,
// nothing else.
func planModel(tensors map[string]tensorInfo) (*layout, error) {
	if len(tensors) == 0 {
		return nil, errors.New("no tensors")
	}
	if len(tensors)%2 != 0 {
		return nil, fmt.Errorf("%d tensors: want a kernel and a bias per layer", len(tensors))
	}
	layers := len(tensors) / 2
	for _, name := range slices.Sorted(maps.Keys(tensors)) {
		if !validName(name, layers) {
			return nil, fmt.Errorf("unexpected tensor %q: a model of %d layers holds dense_0.kernel, dense_0.bias … dense_%d.bias", name, layers, layers-1)
		}
	}
	lo := &layout{}
	for l := range layers {
		kn, bn := kernelName(l), biasName(l)
		k, ok := tensors[kn]
		if !ok {
			return nil, fmt.Errorf("tensor %s is missing", kn)
		}
		b, ok := tensors[bn]
		if !ok {
			return nil, fmt.Errorf("tensor %s is missing", bn)
		}
		for _, t := range []struct {
			name string
			ti   tensorInfo
		}{{kn, k}, {bn, b}} {
			if dtypeSize(t.ti.Dtype) == 0 {
				return nil, fmt.Errorf("tensor %q has dtype %s; want F32, F16, BF16 or F64", t.name, dtypeText(t.ti.Dtype))
			}
		}
		if len(k.Shape) != 2 {
			return nil, fmt.Errorf("tensor %s: shape %v, want 2 dimensions (inputs, outputs)", kn, k.Shape)
		}
		if len(b.Shape) != 1 {
			return nil, fmt.Errorf("tensor %s: shape %v, want 1 dimension", bn, b.Shape)
		}
		in, out := k.Shape[0], k.Shape[1]
		if in == 0 || out == 0 {
			return nil, fmt.Errorf("tensor %s: shape %v has a zero dimension", kn, k.Shape)
		}
		if l == 0 {
			lo.sizes = append(lo.sizes, int(min(in, math.MaxInt32)))
		} else if prev := uint64(lo.sizes[l]); in != prev {
			return nil, fmt.Errorf("tensor %s: shape %v does not chain: layer %d has %d outputs", kn, k.Shape, l-1, prev)
		}
		if b.Shape[0] != out {
			return nil, fmt.Errorf("tensor %s: shape %v, want [%d] to match %s %v", bn, b.Shape, out, kn, k.Shape)
		}
		lo.sizes = append(lo.sizes, int(min(out, math.MaxInt32)))
		kr, err := checkSpan(kn, k, in, out)
		if err != nil {
			return nil, err
		}
		br, err := checkSpan(bn, b, out, 1)
		if err != nil {
			return nil, err
		}
		lo.tensors = append(lo.tensors, kr, br)
	}
	return lo, nil
}

// validName reports whether name is dense_<l>.kernel or dense_<l>.bias
// for some l < layers, with l written without leading zeros.
func validName(name string, layers int) bool {
	rest, ok := strings.CutPrefix(name, "dense_")
	if !ok {
		return false
	}
	idx, kind, ok := strings.Cut(rest, ".")
	if !ok || (kind != "kernel" && kind != "bias") {
		return false
	}
	l, err := strconv.Atoi(idx)
	return err == nil && l >= 0 && l < layers && strconv.Itoa(l) == idx
}

// dtypeSize is the size in bytes of a value of a dtype Load converts to
// float32, or 0 for any other dtype.
func dtypeSize(dtype string) uint64 {
	switch dtype {
	case "F16", "BF16":
		return 2
	case "F32":
		return 4
	case "F64":
		return 8
	}
	return 0
}

// dtypeText shows a dtype in an error: as it is when it is a plain name
// like I32 or F8_E4M3, quoted otherwise.
func dtypeText(dtype string) string {
	for _, c := range dtype {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return strconv.Quote(dtype)
		}
	}
	if dtype == "" {
		return `""`
	}
	return dtype
}

// checkSpan checks a tensor of rows×cols values has the byte span its
// shape and dtype need.
func checkSpan(name string, ti tensorInfo, rows, cols uint64) (tensorRef, error) {
	size := ti.DataOffsets[1] - ti.DataOffsets[0]
	es := dtypeSize(ti.Dtype)
	// rows and cols are each at most the data length, so the product
	// overflows only when it is far beyond it; check by division.
	if rows > size/es || (rows > 0 && cols > size/es/rows) || rows*cols*es != size {
		return tensorRef{}, fmt.Errorf("tensor %s: shape %v of %s needs %s bytes, data_offsets give %d", name, ti.Shape, ti.Dtype, byteCount(rows, cols, es), size)
	}
	return tensorRef{name: name, dtype: ti.Dtype, begin: ti.DataOffsets[0], end: ti.DataOffsets[1], rows: rows, cols: cols}, nil
}

// floats decodes the tensor's little-endian values from b, its span of
// the data, converting them to float32: F16 and BF16 exactly, F64 by
// f64to32.
func (t tensorRef) floats(b []byte) ([]float32, error) {
	v := make([]float32, t.rows*t.cols)
	switch t.dtype {
	case "F32":
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F16":
		for i := range v {
			v[i] = f16to32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case "BF16":
		for i := range v {
			v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	case "F64":
		for i := range v {
			x := math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			f, ok := f64to32(x)
			if !ok {
				return nil, fmt.Errorf("tensor %q: F64 value %g at %s is too large for float32", t.name, x, t.index(i))
			}
			v[i] = f
		}
	default:
		panic("net: tensorRef of unchecked dtype " + t.dtype)
	}
	return v, nil
}

// index shows the position of the i-th value: [row col] for a kernel,
// [i] for a bias.
func (t tensorRef) index(i int) string {
	if strings.HasSuffix(t.name, ".kernel") {
		return fmt.Sprintf("[%d %d]", uint64(i)/t.cols, uint64(i)%t.cols)
	}
	return fmt.Sprintf("[%d]", i)
}

// f16to32 widens an IEEE 754 binary16 value to float32 exactly: every
// half, subnormals included, is a float32; ±Inf stay infinite, and a NaN
// keeps its sign and payload (shifted into the top of the float32's).
func f16to32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal, frac × 2⁻²⁴: a normal float32. Shift frac's leading one
	// up to bit 10, the implicit bit, lowering the exponent of 2⁻¹⁴ (127 −
	// 14) by as much.
	shift := uint32(11 - bits.Len32(frac))
	return math.Float32frombits(sign | (127-14-shift)<<23 | (frac<<shift&0x3ff)<<13)
}

// f64to32 narrows a float64 to the nearest float32, ties to even, as
// float32(x) does, and reports false for a finite x too large for
// float32, one that would round to ±Inf. ±Inf stay infinite. A NaN stays
// a NaN with its sign and the leading 23 bits of its payload, with the
// quiet bit set if those are all zero, so the NaNs of float32 come back
// as they were widened.
func f64to32(x float64) (float32, bool) {
	if x != x {
		b := math.Float64bits(x)
		f := uint32(b>>63)<<31 | 0x7f800000 | uint32(b>>29)&0x7fffff
		if f&0x7fffff == 0 {
			f |= 0x400000
		}
		return math.Float32frombits(f), true
	}
	f := float32(x)
	return f, !math.IsInf(float64(f), 0) || math.IsInf(x, 0)
}

func byteCount(rows, cols, es uint64) string {
	if rows != 0 && cols > math.MaxUint64/es/rows {
		return "more than 2⁶⁴"
	}
	return strconv.FormatUint(rows*cols*es, 10)
}

// checkMeta checks what the metadata holds against the model and data.
func checkMeta(meta map[string]string, m *Model, data []byte) error {
	if s, ok := meta[metaSizes]; ok {
		if want := joinInts(m.Sizes, ","); s != want {
			return fmt.Errorf("sizes %q, but the tensors give %s", s, want)
		}
	}
	if a, ok := meta[metaActivations]; ok && a != activations(m.Layers()) {
		return fmt.Errorf("activations %q: only %q is supported for %d layers", a, activations(m.Layers()), m.Layers())
	}
	if c, ok := meta[metaCRC]; ok {
		want, err := hex.DecodeString(c)
		if err != nil || len(want) != 4 {
			return fmt.Errorf("crc32c %q is not 8 hex digits", c)
		}
		if got := crc32.Checksum(data, castagnoli); got != binary.BigEndian.Uint32(want) {
			return fmt.Errorf("crc32c of the tensor data is %08x, the file says %s: the file is corrupt", got, c)
		}
	}
	return nil
}

// eofToUnexpected reports a header that ends early as such.
func eofToUnexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
