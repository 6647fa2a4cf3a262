package redislimiter_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/verifier"
)

// Rate limits hold across instances when they share a Redis: here a
// subject allowed two codes an hour gets two in all, not two per instance.
func Example() {
	mr, _ := miniredis.Run() // a real deployment dials its Redis instead
	defer mr.Close()
	os.Setenv("VCODE_SECRET", "at least 16 bytes, the same on every instance")
	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()

	limits := verifier.DefaultLimits()
	limits.Subject.Send = limiter.Rule{Limit: 2, Window: time.Hour}
	instances := make([]*verifier.Verifier, 3)
	st, err := redisstore.New(client, "vcode:code:")
	if err != nil {
		panic(err)
	}
	lim, err := redislimiter.New(client, "vcode:limit:")
	if err != nil {
		panic(err)
	}
	for i := range instances {
		instances[i], _ = verifier.New(notify.Discard,
			verifier.WithSecrets([]byte(os.Getenv("VCODE_SECRET"))),
			verifier.WithLimits(limits),
			verifier.WithStore(st), verifier.WithLimiter(lim))
	}
	for i, v := range instances {
		_, err := v.Send(context.Background(), verifier.Request{
			Contact: fmt.Sprintf("+861360000000%d", i), Subject: "app-1",
		})
		var rl *verifier.RateLimitError
		if errors.As(err, &rl) {
			fmt.Printf("instance %d: refused by the %s limit\n", i, rl.Limit)
			continue
		}
		fmt.Printf("instance %d: sent\n", i)
	}
	// Output:
	// instance 0: sent
	// instance 1: sent
	// instance 2: refused by the subject limit
}
