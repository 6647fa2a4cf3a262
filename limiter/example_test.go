package limiter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/vcodekit/vcode/limiter"
)

func ExampleMemory() {
	ctx := context.Background()
	l := limiter.NewMemory()
	defer l.Close() // stops the goroutine that drops stale keys
	for range 3 {
		d, _ := l.Allow(ctx, "contact", limiter.Rule{Limit: 2, Window: time.Minute})
		fmt.Println(d.Allowed, d.Remaining, d.RetryAfter > 59*time.Second)
	}
	// Output:
	// true 1 false
	// true 0 false
	// false 0 true
}

// A closed limiter still decides correctly; only the dropping of stale keys
// stops.
func ExampleMemory_Close() {
	ctx := context.Background()
	l := limiter.NewMemory()
	rule := limiter.Rule{Limit: 1, Window: time.Minute}
	d, _ := l.Allow(ctx, "contact", rule)
	fmt.Println(d.Allowed)

	fmt.Println(l.Close(), l.Close()) // idempotent
	d, _ = l.Allow(ctx, "contact", rule)
	fmt.Println(d.Allowed)
	// Output:
	// true
	// <nil> <nil>
	// false
}
