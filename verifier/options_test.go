package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// TestSharedBackendsNeedSecrets: a store or limiter given from outside
// (WithStore, WithLimiter) may be shared with other processes, so New
// refuses it without WithSecrets, saying why: each process's random secret
// would make its codes and its limits its own. Two instances on one store
// and limiter with a secret each would reject each other's codes, and let
// a resend through B right after A.
func TestSharedBackendsNeedSecrets(t *testing.T) {
	st, lim := store.NewMemory(), limiter.NewMemory()
	defer st.Close()
	defer lim.Close()
	secret := verifier.WithSecrets([]byte("one secret shared by instances"))
	for _, tt := range []struct {
		name string
		opts []verifier.Option
		ok   bool
	}{
		{"store", []verifier.Option{verifier.WithStore(st)}, false},
		{"limiter", []verifier.Option{verifier.WithLimiter(lim)}, false},
		{"both", []verifier.Option{verifier.WithStore(st), verifier.WithLimiter(lim)}, false},
		{"both with secrets", []verifier.Option{verifier.WithStore(st), verifier.WithLimiter(lim), secret}, true},
		{"store with secrets", []verifier.Option{secret, verifier.WithStore(st)}, true},
		{"default backends", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(notify.Discard, tt.opts...)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				v.Close()
				return
			}
			if err == nil {
				t.Fatal("New accepted a store or limiter from outside without WithSecrets")
			}
			for _, why := range []string{"WithSecrets", "per process"} {
				if !strings.Contains(err.Error(), why) {
					t.Errorf("error %q does not say %q", err, why)
				}
			}
		})
	}

	// What the refusal prevents: two instances, one store and limiter,
	// each with a secret of its own.
	a, errA := verifier.New(notify.Discard, verifier.WithStore(st), verifier.WithLimiter(lim))
	b, errB := verifier.New(notify.Discard, verifier.WithStore(st), verifier.WithLimiter(lim))
	if errA == nil && errB == nil {
		ctx := context.Background()
		a.Send(ctx, req(phone))
		if _, err := b.Send(ctx, req(phone)); !errors.Is(err, verifier.ErrTooFrequent) {
			t.Errorf("instance B sent a code right after A: the cooldown was per process (%v)", err)
		}
	}
}
