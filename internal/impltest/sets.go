package impltest

import (
	"reflect"
	"testing"

	"github.com/simdnn/simdnn/internal/impl"
)

// CheckSets fails t unless sets, a package's routines indexed by
// implementation ID, holds a set for exactly the implementations this
// build holds (impl.Compiled), no two the same, each with every function
// field filled.
func CheckSets[S any](t *testing.T, sets [impl.Count]*S) {
	t.Helper()
	seen := map[*S]string{}
	for id, s := range sets {
		if impl.Compiled(id) != (s != nil) {
			t.Errorf("%s: compiled %v, but the set is %v", impl.Name(id), impl.Compiled(id), s)
		}
		if s == nil {
			continue
		}
		if other, ok := seen[s]; ok {
			t.Errorf("%s shares its set with %s", impl.Name(id), other)
		}
		seen[s] = impl.Name(id)
		v := reflect.ValueOf(s).Elem()
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.Func && f.IsNil() {
				t.Errorf("%s: %s.%s is nil", impl.Name(id), v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}
