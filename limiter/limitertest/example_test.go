package limitertest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/limitertest"
)

// A host's own implementation runs the suite from a test of its own:
//
//	func TestMyBackend(t *testing.T) { limitertest.Run(t, factory) }
//
// The factory makes a fresh, empty backend on the clock it is given, which
// the suite moves by hand instead of sleeping.
func Example() {
	var factory limitertest.Factory = func(t *testing.T, now func() time.Time) limiter.Limiter {
		return limiter.NewMemory(limiter.WithClock(now))
	}
	fmt.Printf("%T\n", factory(nil, time.Now))
	// Output: *limiter.Memory
}
