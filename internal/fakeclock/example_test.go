package fakeclock_test

import (
	"fmt"
	"time"

	"github.com/vcodekit/vcode/internal/fakeclock"
)

func Example() {
	clk := fakeclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clk.Advance(time.Minute)
	fmt.Println(clk.Now().UTC().Format(time.TimeOnly))
	// Output: 00:01:00
}
