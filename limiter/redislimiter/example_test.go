package redislimiter_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
)

func Example() {
	mr, _ := miniredis.Run() // a real deployment dials its Redis here
	defer mr.Close()
	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()

	l := redislimiter.New(client, "vcode:limit:")
	for range 3 {
		d, _ := l.Allow(context.Background(), "contact", limiter.Rule{Limit: 2, Window: time.Minute})
		fmt.Println(d.Allowed, d.Remaining)
	}
	// Output:
	// true 1
	// true 0
	// false 0
}
