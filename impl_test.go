package simdnn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdnn/simdnn/internal/impl"
	"github.com/simdnn/simdnn/internal/impltest"
)

// The registry itself (start-up choice, SIMDNN_IMPL, refusals) is tested
// in internal/impl; these tests hold this package's side of it.

// TestRequiredImplsPresent fails a run that SIMDNN_REQUIRE says must test
// an implementation this build and CPU do not offer.
func TestRequiredImplsPresent(t *testing.T) {
	impltest.CheckRequired(t)
}

// TestSets: sets holds a complete kernelSet for exactly the
// implementations the build holds, each its own.
func TestSets(t *testing.T) {
	impltest.CheckSets(t, sets)
}

// TestSetImpl: SetImpl, Impl and Impls are the registry's, and the
// kernels dispatch to the active set.
func TestSetImpl(t *testing.T) {
	prev := Impl()
	defer func() { require.NoError(t, SetImpl(prev)) }()
	assert.Equal(t, impl.Names(), Impls())
	for _, name := range Impls() {
		require.NoError(t, SetImpl(name))
		assert.Equal(t, name, Impl())
		assert.Same(t, sets[impl.Active()], active())
	}
	assert.EqualError(t, SetImpl("sse9"), "simdnn: "+impl.Set("sse9").Error())
	assert.Equal(t, Impls()[len(Impls())-1], Impl(), "a failed SetImpl keeps the active one")
	assert.Equal(t, impl.EnvError(), EnvError())
}
