package redisstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
)

func Example() {
	mr, _ := miniredis.Run() // a real deployment dials its Redis here
	defer mr.Close()
	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()

	s := redisstore.New(client, "vcode:code:")
	ctx := context.Background()
	_ = s.Save(ctx, "opaque key", store.Record{Digest: []byte("hmac digest"), TTL: time.Minute, MaxAttempts: 5})
	r, err := s.Consume(ctx, "opaque key", []byte("hmac digest"))
	fmt.Println(r, err)
	// Output: match <nil>
}
