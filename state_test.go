package vcode_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// TestVerifyStateBoundedByQuota: what one subject can make the server hold
// is bounded by its quotas. Past its verify quota, each new contact it
// verified still created a limiter key (366 k requests in 30 s took the
// memory backend from 25 to 115 MB, and Redis to 145 k keys); now an
// attempt past a spent quota takes no limit at all, and is checked against
// the store only, where a code that was never sent holds nothing.
func TestVerifyStateBoundedByQuota(t *testing.T) {
	const contacts = 10000
	for _, tt := range []struct {
		name string
		// build returns the backends and a count of the limiter's keys.
		build func(t *testing.T, clk *vcodetest.Clock) (store.CodeStore, limiter.Limiter, func() int)
	}{
		{"memory", func(t *testing.T, clk *vcodetest.Clock) (store.CodeStore, limiter.Limiter, func() int) {
			st, lim := store.NewMemory(store.WithClock(clk.Now)), limiter.NewMemory(limiter.WithClock(clk.Now))
			t.Cleanup(func() { st.Close(); lim.Close() })
			return st, lim, lim.Len
		}},
		{"redis", func(t *testing.T, clk *vcodetest.Clock) (store.CodeStore, limiter.Limiter, func() int) {
			client := redistest.Client(t)
			prefix := redistest.Prefix(t)
			keys := func() int {
				n := 0
				iter := client.Scan(context.Background(), 0, prefix+"l:*", 1000).Iterator()
				for iter.Next(context.Background()) {
					n++
				}
				if err := iter.Err(); err != nil {
					t.Fatal(err)
				}
				return n
			}
			return redistest.Must(redisstore.New(client, prefix+"c:", redisstore.WithClock(clk.Now)))(t),
				redistest.Must(redislimiter.New(client, prefix+"l:", redislimiter.WithClock(clk.Now)))(t), keys
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := vcodetest.NewClock(vcodetest.Start)
			st, lim, keys := tt.build(t, clk)
			rec := &notify.Recorder{}
			v, err := verifier.New(rec, verifier.WithStore(st), verifier.WithLimiter(lim),
				verifier.WithSecrets(sharedSecret), verifier.WithClock(clk.Now))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			// The subject's own code, sent before it spends its quota.
			mine := verifier.Request{Contact: "+8613900000001", Subject: "mallory", ClientIP: "192.0.2.1"}
			if _, err := v.Send(ctx, mine); err != nil {
				t.Fatal(err)
			}
			code, _ := rec.LastCode(mine.Contact)
			afterSend := keys()

			quota := verifier.DefaultLimits().Subject.Verify.Limit
			var refused atomic.Int32
			var wg sync.WaitGroup
			errs := make(chan error, contacts)
			for w := range 8 { // eight clients at once, as an attacker would
				wg.Go(func() {
					for i := w; i < contacts; i += 8 {
						r := verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: "mallory", ClientIP: "192.0.2.1"}
						_, err := v.Verify(ctx, r, "000000")
						if errors.Is(err, verifier.ErrTooManyAttempts) {
							refused.Add(1)
						} else if !errors.Is(err, verifier.ErrWrongCode) {
							errs <- fmt.Errorf("verify %d: %w", i, err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			// Under the quota, each attempt keeps its contact's key;
			// past it, nothing more (the subject's and the IP's keys are
			// already there).
			held := keys() - afterSend
			t.Logf("%d verifies of distinct contacts by one subject (%d past its quota of %d): %d limiter keys more", contacts, refused.Load(), quota, held)
			if n := int(refused.Load()); n != contacts-quota {
				t.Fatalf("%d refused by the quota, want %d", n, contacts-quota)
			}
			if held > quota+2 {
				t.Fatalf("one subject's %d verifies left %d limiter keys, more than its quota of %d allows", contacts, held, quota)
			}
			// A right code still verifies past the spent quota.
			if _, err := v.Verify(ctx, mine, code); err != nil {
				t.Fatalf("the subject's right code past its spent quota: %v", err)
			}
		})
	}
}
