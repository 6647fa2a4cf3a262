package limitertest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/limitertest"
	"github.com/vcodekit/vcode/vcodetest"
)

// A host's own implementation runs the suite from a test of its own:
//
//	func TestMyBackend(t *testing.T) { limitertest.Run(t, factory) }
//
// The factory makes a fresh, empty backend on the suite's clock, which the
// suite moves with vcodetest.Clock instead of sleeping.
func Example() {
	var factory limitertest.Factory = func(t *testing.T, now func() time.Time) limiter.Limiter {
		return limiter.NewMemory(limiter.WithClock(now))
	}
	clock := vcodetest.NewClock(vcodetest.Start)
	fmt.Printf("%T\n", factory(nil, clock.Now))
	// Output: *limiter.Memory
}
