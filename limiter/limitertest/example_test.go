package limitertest_test

import (
	"fmt"
	"time"

	"github.com/vcodekit/vcode/limiter/limitertest"
)

// A Clock drives expiry and windows in tests without sleeping.
func ExampleClock() {
	clk := limitertest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clk.Advance(90 * time.Second)
	fmt.Println(clk.Now().UTC().Format(time.TimeOnly))
	// Output: 00:01:30
}
