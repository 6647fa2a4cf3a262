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
	for range 3 {
		d, _ := l.Allow(ctx, "contact", limiter.Rule{Limit: 2, Window: time.Minute})
		fmt.Println(d.Allowed, d.Remaining, d.RetryAfter > 59*time.Second)
	}
	// Output:
	// true 1 false
	// true 0 false
	// false 0 true
}
