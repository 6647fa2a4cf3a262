// Package storetest is the conformance suite for store.CodeStore
// implementations. Every implementation in this module runs it, and so
// should a host's own. The Peek tests run when the store is a
// store.Peeker, and are skipped otherwise.
package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/store"
)

// Factory returns a fresh, empty store whose expiry follows now. Stores that
// share a backend must isolate tests, for example with a unique key prefix.
type Factory func(t *testing.T, now func() time.Time) store.CodeStore

// Run runs the whole suite against the stores that factory makes.
func Run(t *testing.T, factory Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.CodeStore, clk *clock.Manual)
	}{
		{"NotFoundWhenNeverSaved", testNotFound},
		{"MatchConsumesOnce", testMatchOnce},
		{"AttemptCap", testAttemptCap},
		{"Expiry", testExpiry},
		{"OverwriteOnResend", testOverwrite},
		{"Delete", testDelete},
		{"KeysAreIndependent", testIndependentKeys},
		{"BinaryKeysAndDigests", testBinary},
		{"RejectsInvalidRecords", testInvalid},
		{"Peek", testPeek},
		{"ConcurrentRightCode", testConcurrentRight},
		{"ConcurrentWrongGuesses", testConcurrentWrong},
		{"ConcurrentMixed", testConcurrentMixed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			tt.fn(t, factory(t, clk.Now), clk)
		})
	}
}

var ctx = context.Background()

func digest(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

func save(t *testing.T, s store.CodeStore, key string, d []byte, ttl time.Duration, max int) {
	t.Helper()
	if err := s.Save(ctx, key, store.Record{Digest: d, TTL: ttl, MaxAttempts: max}); err != nil {
		t.Fatalf("Save(%q): %v", key, err)
	}
}

func consume(t *testing.T, s store.CodeStore, key string, d []byte, want store.Result) {
	t.Helper()
	got, err := s.Consume(ctx, key, d)
	if err != nil {
		t.Fatalf("Consume(%q): %v", key, err)
	}
	if got != want {
		t.Fatalf("Consume(%q) = %v, want %v", key, got, want)
	}
}

func testNotFound(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	consume(t, s, "absent", digest("123456"), store.NotFound)
}

func testMatchOnce(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	save(t, s, "k", digest("123456"), time.Minute, 5)
	consume(t, s, "k", digest("123456"), store.Match)
	consume(t, s, "k", digest("123456"), store.NotFound)
}

func testAttemptCap(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	for _, max := range []int{1, 3, 5} {
		key := fmt.Sprintf("cap%d", max)
		save(t, s, key, digest("right"), time.Minute, max)
		for i := 1; i < max; i++ {
			consume(t, s, key, digest("wrong"), store.Mismatch)
		}
		consume(t, s, key, digest("wrong"), store.Exhausted)
		// The right code is dead now.
		consume(t, s, key, digest("right"), store.NotFound)
	}
	// A match before the cap still works after some misses.
	save(t, s, "k", digest("right"), time.Minute, 5)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	consume(t, s, "k", digest("right"), store.Match)
}

func testExpiry(t *testing.T, s store.CodeStore, clk *clock.Manual) {
	save(t, s, "k", digest("right"), time.Minute, 5)
	clk.Advance(59 * time.Second)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	clk.Advance(time.Second)
	consume(t, s, "k", digest("right"), store.NotFound)

	// A record saved later has its own expiry.
	save(t, s, "k2", digest("right"), 10*time.Minute, 5)
	clk.Advance(9 * time.Minute)
	consume(t, s, "k2", digest("right"), store.Match)
}

func testOverwrite(t *testing.T, s store.CodeStore, clk *clock.Manual) {
	save(t, s, "k", digest("first"), time.Minute, 3)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	clk.Advance(50 * time.Second)
	save(t, s, "k", digest("second"), time.Minute, 3)
	// The first code is gone, the attempt count was reset, and the new
	// expiry counts from the resend.
	consume(t, s, "k", digest("first"), store.Mismatch)
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	clk.Advance(30 * time.Second)
	consume(t, s, "k", digest("second"), store.Match)
}

func testDelete(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	save(t, s, "k", digest("right"), time.Minute, 5)
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	consume(t, s, "k", digest("right"), store.NotFound)
	if err := s.Delete(ctx, "never-saved"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func testIndependentKeys(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	save(t, s, "a", digest("1"), time.Minute, 1)
	save(t, s, "b", digest("2"), time.Minute, 1)
	consume(t, s, "a", digest("2"), store.Exhausted)
	consume(t, s, "b", digest("2"), store.Match)
}

func testBinary(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	key := "\x00\xff{}\r\n key"
	d := []byte{0, 1, 2, 0xff, 0}
	save(t, s, key, d, time.Minute, 2)
	consume(t, s, key, []byte{0, 1, 2, 0xff}, store.Mismatch)
	consume(t, s, key, d, store.Match)
}

func testInvalid(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	for _, c := range []struct {
		d   []byte
		ttl time.Duration
		max int
	}{
		{nil, time.Minute, 5},
		{digest("x"), 0, 5},
		{digest("x"), -time.Second, 5},
		{digest("x"), time.Minute, 0},
	} {
		if err := s.Save(ctx, "k", store.Record{Digest: c.d, TTL: c.ttl, MaxAttempts: c.max}); err == nil {
			t.Errorf("Save(digest %d bytes, ttl %v, max %d) accepted", len(c.d), c.ttl, c.max)
		}
	}
}

func testPeek(t *testing.T, cs store.CodeStore, clk *clock.Manual) {
	s, ok := cs.(store.Peeker)
	if !ok {
		t.Skip("not a store.Peeker")
	}
	peek := func(key string) ([]byte, time.Duration) {
		t.Helper()
		sealed, left, err := s.Peek(ctx, key)
		if err != nil {
			t.Fatalf("Peek(%q): %v", key, err)
		}
		return sealed, left
	}
	if sealed, left := peek("absent"); sealed != nil || left != 0 {
		t.Fatalf("Peek of a missing key: %q, %v", sealed, left)
	}
	// Without a payload there is nothing to peek at.
	save(t, s, "plain", digest("right"), time.Minute, 5)
	if sealed, _ := peek("plain"); sealed != nil {
		t.Fatalf("Peek of a record without payload: %q", sealed)
	}
	payload := []byte{0, 1, 0xff, '{', '}'}
	if err := s.Save(ctx, "k", store.Record{Digest: digest("right"), Sealed: payload, TTL: time.Minute, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(20 * time.Second)
	sealed, left := peek("k")
	if string(sealed) != string(payload) || left != 40*time.Second {
		t.Fatalf("Peek = %q, %v; want the payload and 40 s", sealed, left)
	}
	// Peeking is not an attempt: the cap of two still takes two misses.
	peek("k")
	consume(t, s, "k", digest("wrong"), store.Mismatch)
	consume(t, s, "k", digest("wrong"), store.Exhausted)
	if sealed, _ := peek("k"); sealed != nil {
		t.Fatal("Peek sees a killed record")
	}
	// Nor does an expired record show.
	if err := s.Save(ctx, "e", store.Record{Digest: digest("right"), Sealed: payload, TTL: time.Minute, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if sealed, _ := peek("e"); sealed != nil {
		t.Fatal("Peek sees an expired record")
	}
}

const goroutines = 200

// hammer runs fn from many goroutines at once and counts the results.
func hammer(t *testing.T, fn func(i int) (store.Result, error)) map[store.Result]int {
	t.Helper()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		counts  = map[store.Result]int{}
		errs    []error
		release = make(chan struct{})
	)
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			r, err := fn(i)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			counts[r]++
		}()
	}
	close(release)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d of %d calls failed, first: %v", len(errs), goroutines, errs[0])
	}
	return counts
}

func testConcurrentRight(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	save(t, s, "k", digest("right"), time.Minute, 5)
	counts := hammer(t, func(int) (store.Result, error) {
		return s.Consume(ctx, "k", digest("right"))
	})
	if counts[store.Match] != 1 || counts[store.NotFound] != goroutines-1 {
		t.Fatalf("%d concurrent right guesses: %v, want exactly one match", goroutines, counts)
	}
}

func testConcurrentWrong(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	const max = 5
	save(t, s, "k", digest("right"), time.Minute, max)
	counts := hammer(t, func(i int) (store.Result, error) {
		return s.Consume(ctx, "k", digest(fmt.Sprint("wrong", i)))
	})
	if counts[store.Mismatch] != max-1 || counts[store.Exhausted] != 1 ||
		counts[store.NotFound] != goroutines-max {
		t.Fatalf("%d concurrent wrong guesses with cap %d: %v", goroutines, max, counts)
	}
	consume(t, s, "k", digest("right"), store.NotFound)
}

func testConcurrentMixed(t *testing.T, s store.CodeStore, _ *clock.Manual) {
	const max = 5
	for round := range 5 {
		key := fmt.Sprint("mixed", round)
		save(t, s, key, digest("right"), time.Minute, max)
		counts := hammer(t, func(i int) (store.Result, error) {
			if i%2 == 0 {
				return s.Consume(ctx, key, digest("right"))
			}
			return s.Consume(ctx, key, digest("wrong"))
		})
		misses := counts[store.Mismatch] + counts[store.Exhausted]
		switch {
		case counts[store.Match] > 1:
			t.Fatalf("round %d: %d matches", round, counts[store.Match])
		case misses > max:
			t.Fatalf("round %d: %d counted misses past the cap %d", round, misses, max)
		case counts[store.Match] == 0 && counts[store.Exhausted] != 1:
			t.Fatalf("round %d: no match and no exhaustion: %v", round, counts)
		case counts[store.Match] == 1 && counts[store.Exhausted] != 0:
			t.Fatalf("round %d: both matched and exhausted: %v", round, counts)
		}
	}
}
