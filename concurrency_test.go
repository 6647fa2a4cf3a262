package vcode_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

type backends struct {
	name  string
	build func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter)
}

var allBackends = []backends{
	{"memory", func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter) {
		return store.NewMemory(store.WithClock(now)), limiter.NewMemory(limiter.WithClock(now))
	}},
	{"redis", func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter) {
		client := redistest.Client(t)
		prefix := redistest.Prefix(t)
		return redistest.Must(redisstore.New(client, prefix+"c:", redisstore.WithClock(now)))(t),
			redistest.Must(redislimiter.New(client, prefix+"l:", redislimiter.WithClock(now)))(t)
	}},
}

// outcome is one verify answer.
type outcome struct {
	round   int
	contact int
	code    string
	err     error
}

// TestConcurrentMix runs rounds of concurrent sends and verifies over a few
// overlapping contacts, then checks the invariants over everything that
// happened: a code verifies at most once; per contact, never more than the
// limit of verification attempts get through in any rolling window; and
// after a burst of concurrent sends, exactly one of the delivered codes is
// valid, never none.
func TestConcurrentMix(t *testing.T) {
	for _, b := range allBackends {
		t.Run(b.name, func(t *testing.T) { concurrentMix(t, b) })
	}
}

func concurrentMix(t *testing.T, b backends) {
	const (
		contacts    = 6
		rounds      = 24
		goroutines  = 12
		opsEach     = 5
		roundGap    = 15 * time.Second
		verifyLimit = 5
		window      = time.Minute
	)
	clk := vcodetest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	st, lim := b.build(t, clk.Now)
	rec := &notify.Recorder{}
	v, err := verifier.New(rec,
		verifier.WithStore(st), verifier.WithLimiter(lim), verifier.WithSecrets(sharedSecret), verifier.WithClock(clk.Now),
		verifier.WithCodeLength(10), // codes never repeat by chance within the test
		verifier.WithValidity(10*time.Minute),
		// Six numbers of one prefix sent to far more than they verify:
		// the pumping guard would block it, and this test is about the
		// limits under concurrency, not the guard.
		verifier.WithGuard(verifier.Guard{}),
		verifier.WithLimits(verifier.Limits{
			Guesses:    3,
			Verify:     limiter.Rule{Limit: verifyLimit, Window: window},
			Send:       limiter.Rule{Limit: 10000, Window: time.Hour},
			Deliveries: limiter.Rule{Limit: 20000, Window: time.Hour},
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	phone := func(i int) string { return fmt.Sprintf("+861360000%04d", i) }
	req := func(i int) verifier.Request { return verifier.Request{Contact: phone(i), Subject: "app"} }

	var (
		mu       sync.Mutex
		answers  []outcome
		failures []error
	)
	for round := range rounds {
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(round), uint64(g)))
				for range opsEach {
					c := rng.IntN(contacts)
					switch p := rng.IntN(10); {
					case p < 2:
						if _, err := v.Send(ctx, req(c)); err != nil {
							mu.Lock()
							failures = append(failures, err)
							mu.Unlock()
						}
					default:
						code := "0000000000"
						if p < 6 {
							code, _ = rec.LastCode(phone(c))
							if code == "" {
								code = "1111111111"
							}
						}
						_, err := v.Verify(ctx, req(c), code)
						mu.Lock()
						answers = append(answers, outcome{round, c, code, err})
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		clk.Advance(roundGap)
	}
	if len(failures) > 0 {
		t.Fatalf("%d sends failed, first: %v", len(failures), failures[0])
	}

	// Single use: no code verified twice.
	used := map[string]int{}
	for _, a := range answers {
		switch {
		case a.err == nil:
			used[a.code]++
			if used[a.code] > 1 {
				t.Fatalf("code %s of contact %d verified twice", a.code, a.contact)
			}
		case !errors.Is(a.err, verifier.ErrWrongCode) && !errors.Is(a.err, verifier.ErrTooManyAttempts):
			t.Fatalf("unexpected verify error: %v", a.err)
		}
	}
	if len(used) == 0 {
		t.Fatal("no verify ever succeeded: the test exercised nothing")
	}

	// Rolling limit: the rounds are roundGap apart, so any window holds the
	// attempts of window/roundGap consecutive rounds.
	through := make([][rounds]int, contacts)
	for _, a := range answers {
		if !errors.Is(a.err, verifier.ErrTooManyAttempts) {
			through[a.contact][a.round]++
		}
	}
	span := int(window / roundGap)
	for c := range contacts {
		for r := range rounds {
			sum := 0
			for k := r; k < min(r+span, rounds); k++ {
				sum += through[c][k]
			}
			if sum > verifyLimit {
				t.Fatalf("contact %d: %d attempts got through in rounds %d..%d, limit %d per %v", c, sum, r, r+span-1, verifyLimit, window)
			}
		}
	}

	// No valid code lost: a burst of concurrent sends to each contact, then,
	// with the attempt window clear, exactly one of the codes delivered in
	// the burst verifies.
	before := len(rec.Messages())
	var wg sync.WaitGroup
	for c := range contacts {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := v.Send(ctx, req(c)); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	clk.Advance(window)
	burst := map[string][]string{}
	for _, m := range rec.Messages()[before:] {
		burst[m.To] = append(burst[m.To], m.Code)
	}
	for c := range contacts {
		codes := burst[phone(c)]
		if len(codes) != 3 {
			t.Fatalf("contact %d: %d codes delivered in the burst", c, len(codes))
		}
		ok := 0
		for _, code := range codes {
			if _, err := v.Verify(ctx, req(c), code); err == nil {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("contact %d: %d of the burst's codes verified, want exactly 1", c, ok)
		}
	}
	t.Logf("%s: %d verifies, %d successes", b.name, len(answers), len(used))
}

// withLimits is the default policy changed by edit.
func withLimits(edit func(l *verifier.Limits)) verifier.Option {
	l := verifier.DefaultLimits()
	edit(&l)
	return verifier.WithLimits(l)
}
