package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/verifier"
)

// Several instances of a service share codes and limits through one Redis.
// Every instance gets the same secrets (from the environment, never the
// source or the command line): a code sent through one verifies through
// any other.
func Example() {
	mr, _ := miniredis.Run() // a real deployment dials its Redis instead
	defer mr.Close()
	os.Setenv("VCODE_SECRET", "at least 16 bytes, the same on every instance")

	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	newInstance := func(outbox delivery.Notifier) *verifier.Verifier {
		st, err := redisstore.New(client, "vcode:code:")
		if err != nil {
			panic(err)
		}
		lim, err := redislimiter.New(client, "vcode:limit:")
		if err != nil {
			panic(err)
		}
		v, err := verifier.New(outbox,
			verifier.WithSecrets([]byte(os.Getenv("VCODE_SECRET"))),
			verifier.WithStore(st), verifier.WithLimiter(lim))
		if err != nil {
			panic(err)
		}
		return v
	}
	outbox := &notify.Recorder{}
	a, b := newInstance(outbox), newInstance(outbox)

	ctx := context.Background()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
	a.Send(ctx, req)
	code, _ := outbox.LastCode(req.Contact)
	_, err := b.Verify(ctx, req, code) // through the other instance
	fmt.Println("verified on b:", err == nil)
	_, err = a.Send(ctx, req) // the cooldown is shared too
	fmt.Println("resend on a held by the cooldown:", errors.Is(err, verifier.ErrTooFrequent))
	// Output:
	// verified on b: true
	// resend on a held by the cooldown: true
}
