package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/vcodekit/vcode/store"
)

func ExampleMemory() {
	ctx := context.Background()
	s := store.NewMemory()
	defer s.Close() // stops the goroutine that reclaims expired records
	right := sha256.Sum256([]byte("digest of the issued code"))
	wrong := sha256.Sum256([]byte("digest of a guess"))

	_ = s.Save(ctx, "key", store.Record{Digest: right[:], TTL: time.Minute, MaxAttempts: 3})
	r, _ := s.Consume(ctx, "key", wrong[:])
	fmt.Println(r)
	r, _ = s.Consume(ctx, "key", right[:])
	fmt.Println(r)
	r, _ = s.Consume(ctx, "key", right[:])
	fmt.Println(r)
	// Output:
	// mismatch
	// match
	// not found
}

// A closed store still answers, expiry included; only the reclaiming of
// expired records stops.
func ExampleMemory_Close() {
	ctx := context.Background()
	s := store.NewMemory()
	right := sha256.Sum256([]byte("digest of the issued code"))
	_ = s.Save(ctx, "key", store.Record{Digest: right[:], TTL: time.Minute, MaxAttempts: 3})

	fmt.Println(s.Close(), s.Close()) // idempotent
	r, _ := s.Consume(ctx, "key", right[:])
	fmt.Println(r)
	// Output:
	// <nil> <nil>
	// match
}
