//go:build !purego

package simdnn

// pureGoNote is empty: this build includes the assembly its GOARCH has.
const pureGoNote = ""
