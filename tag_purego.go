//go:build purego

package simdnn

// pureGoNote tells error messages this build left the assembly out.
const pureGoNote = ", built with -tags purego"
