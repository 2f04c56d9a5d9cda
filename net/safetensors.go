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

// MarshalSafetensors encodes m as a safetensors file.
func (m *Model) MarshalSafetensors() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
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
	sizes := make([]string, len(m.Sizes))
	for i, s := range m.Sizes {
		sizes[i] = strconv.Itoa(s)
	}
	for l := range m.Layers() {
		add(kernelName(l), m.W[l], m.Sizes[l], m.Sizes[l+1])
		add(biasName(l), m.B[l], m.Sizes[l+1])
	}
	header["__metadata__"] = map[string]string{
		metaSizes:       strings.Join(sizes, ","),
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
// another tool, with the tensor names and layout Save uses). It reads the
// header first and checks it against the file's size, so a file whose
// header claims more data than it holds is refused before any tensor data
// is read; then it reads the data and checks it as UnmarshalSafetensors
// does.
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
		return nil, fmt.Errorf("net: %s: %s", path, strings.TrimPrefix(err.Error(), "net: "))
	}
	return m, nil
}

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
// each tensor's name, dtype, shape and offsets (inside the data, no
// overlaps, no holes), that the shapes chain from layer to layer, and the
// metadata, including the checksum when there is one. Whatever the
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
		v := t.floats(data[t.begin:t.end])
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
			if err := json.Unmarshal(raw, &meta); err != nil {
				return nil, nil, fmt.Errorf("__metadata__ must map names to strings: %w", err)
			}
			continue
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
			if t.ti.Dtype != "F32" {
				return nil, fmt.Errorf("tensor %s: dtype %q, want \"F32\"", t.name, t.ti.Dtype)
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

// checkSpan checks a tensor of rows×cols float32s has the byte span its
// shape needs.
func checkSpan(name string, ti tensorInfo, rows, cols uint64) (tensorRef, error) {
	size := ti.DataOffsets[1] - ti.DataOffsets[0]
	// rows and cols are each at most the data length, so the product
	// overflows only when it is far beyond it; check by division.
	if rows > size/4 || (rows > 0 && cols > size/4/rows) || rows*cols*4 != size {
		return tensorRef{}, fmt.Errorf("tensor %s: shape %v needs %s bytes, data_offsets give %d", name, ti.Shape, byteCount(rows, cols), size)
	}
	return tensorRef{name: name, begin: ti.DataOffsets[0], end: ti.DataOffsets[1], rows: rows, cols: cols}, nil
}

// floats decodes the tensor's little-endian float32s from b, its span of
// the data.
func (t tensorRef) floats(b []byte) []float32 {
	v := make([]float32, t.rows*t.cols)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func byteCount(rows, cols uint64) string {
	if rows != 0 && cols > math.MaxUint64/4/rows {
		return "more than 2⁶⁴"
	}
	return strconv.FormatUint(rows*cols*4, 10)
}

// checkMeta checks what the metadata holds against the model and data.
func checkMeta(meta map[string]string, m *Model, data []byte) error {
	if s, ok := meta[metaSizes]; ok {
		want := make([]string, len(m.Sizes))
		for i, v := range m.Sizes {
			want[i] = strconv.Itoa(v)
		}
		if s != strings.Join(want, ",") {
			return fmt.Errorf("sizes %q, but the tensors give %s", s, strings.Join(want, ","))
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
