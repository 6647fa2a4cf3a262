package storetest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/storetest"
)

// A host's own implementation runs the suite from a test of its own:
//
//	func TestMyBackend(t *testing.T) { storetest.Run(t, factory) }
//
// The factory makes a fresh, empty backend on the clock it is given, which
// the suite moves by hand instead of sleeping.
func Example() {
	var factory storetest.Factory = func(t *testing.T, now func() time.Time) store.CodeStore {
		return store.NewMemory(store.WithClock(now))
	}
	fmt.Printf("%T\n", factory(nil, time.Now))
	// Output: *store.Memory
}
