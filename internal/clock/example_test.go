package clock_test

import (
	"fmt"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
)

func Example() {
	c := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c.Advance(90 * time.Second)
	fmt.Println(c.Now().UTC())
	// Output: 2026-01-02 03:05:35 +0000 UTC
}
