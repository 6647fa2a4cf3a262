package vcode_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// The pumping guard across instances and under concurrency, on every
// backend: memory, a Redis node, and the Redis Cluster CI starts.

// guardBackend is one store and limiter for instances to share, and a way
// to empty it under them (nil: it cannot be, as memory's).
type guardBackend struct {
	name  string
	build func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter, func())
}

var guardBackends = []guardBackend{
	{"memory", func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter, func()) {
		st, lim := store.NewMemory(store.WithClock(now)), limiter.NewMemory(limiter.WithClock(now))
		t.Cleanup(func() { st.Close(); lim.Close() })
		return st, lim, nil
	}},
	{"redis", func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter, func()) {
		return redisBackend(t, redistest.Client(t), now)
	}},
	{"cluster", func(t *testing.T, now func() time.Time) (store.CodeStore, limiter.Limiter, func()) {
		return redisBackend(t, redistest.ClusterClient(t), now)
	}},
}

// redisBackend is a redisstore and a redislimiter under a fresh prefix on
// client, and a function that deletes every key under it.
func redisBackend(t *testing.T, client redis.UniversalClient, now func() time.Time) (store.CodeStore, limiter.Limiter, func()) {
	prefix := redistest.Prefix(t)
	empty := func() {
		ctx := context.Background()
		del := func(ctx context.Context, c *redis.Client) error {
			iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
			for iter.Next(ctx) {
				if err := c.Del(ctx, iter.Val()).Err(); err != nil {
					return err
				}
			}
			return iter.Err()
		}
		var err error
		switch c := client.(type) {
		case *redis.ClusterClient:
			err = c.ForEachMaster(ctx, del)
		case *redis.Client:
			err = del(ctx, c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(empty)
	// Hundreds of calls in flight on a loaded machine (the race detector,
	// CI) queue for the client's pool: these tests are about counts, not
	// latency, so a call may wait far longer than the default second.
	const patient = 30 * time.Second
	return redistest.Must(redisstore.New(client, prefix+"c:", redisstore.WithClock(now), redisstore.WithTimeout(patient)))(t),
		redistest.Must(redislimiter.New(client, prefix+"l:", redislimiter.WithClock(now), redislimiter.WithTimeout(patient)))(t), empty
}

// guardInstance is one Verifier on a shared backend.
func guardInstance(t *testing.T, st store.CodeStore, lim limiter.Limiter, clk *vcodetest.Clock) (*verifier.Verifier, *notify.Recorder) {
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, verifier.WithSecrets(sharedSecret), verifier.WithStore(st), verifier.WithLimiter(lim), verifier.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v, rec
}

// realHistory is a day of real users on prefixes of CN other than the
// attacked one, 80 % verifying, sent and verified one after another
// through v over the 24 hours before clk's time, which it then reaches.
func realHistory(t *testing.T, v *verifier.Verifier, rec *notify.Recorder, clk *vcodetest.Clock, users int) {
	ctx := context.Background()
	clk.Advance(-24 * time.Hour)
	for i := range users {
		r := verifier.Request{Contact: fmt.Sprintf("+8613%d%08d", 5+i%3, i), Subject: fmt.Sprint("real-", i), ClientIP: fmt.Sprintf("2001:db8:1:%x::1", i)}
		if _, err := v.Send(ctx, r); err != nil {
			t.Fatalf("history send %d: %v", i, err)
		}
		if i%5 != 0 {
			code, _ := rec.LastCode(r.Contact)
			if _, err := v.Verify(ctx, r, code); err != nil {
				t.Fatalf("history verify %d: %v", i, err)
			}
		}
		clk.Advance(24 * time.Hour / time.Duration(users))
	}
}

// pumped is the i-th send of a campaign to +86138 that never verifies:
// a number, subject and IP of its own.
func pumped(i int) verifier.Request {
	return verifier.Request{Contact: fmt.Sprintf("+86138%08d", i), Subject: fmt.Sprint("pump-", i), ClientIP: fmt.Sprintf("2001:db8:2:%x::1", i)}
}

// TestGuardConcurrentSends: 400 sends in flight at once to one prefix
// that never verifies, each from a subject and an IP of its own, through
// two Verifiers on one backend, on a fresh store and after a day of real
// traffic in the country, never get more through than the same sends one
// after another (the standard base, 20): the guard decides and records a
// send in one atomic step on every backend.
func TestGuardConcurrentSends(t *testing.T) {
	const inFlight = 400
	for _, b := range guardBackends {
		for _, history := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/history=%v", b.name, history), func(t *testing.T) {
				delivered := func(concurrent bool) int {
					clk := vcodetest.NewClock(vcodetest.Start)
					st, lim, _ := b.build(t, clk.Now)
					a, rec := guardInstance(t, st, lim, clk)
					c, _ := guardInstance(t, st, lim, clk)
					if history {
						realHistory(t, a, rec, clk, 300)
					}
					var mu sync.Mutex
					var wg sync.WaitGroup
					n := 0
					for i := range inFlight {
						send := func() {
							v := a
							if i%2 == 1 {
								v = c
							}
							_, err := v.Send(context.Background(), pumped(i))
							switch {
							case err == nil:
								mu.Lock()
								n++
								mu.Unlock()
							case !errors.Is(err, verifier.ErrPumping):
								t.Errorf("send %d: %v", i, err)
							}
						}
						if !concurrent {
							send()
							continue
						}
						wg.Add(1)
						go func() { defer wg.Done(); send() }()
					}
					wg.Wait()
					return n
				}
				seq, conc := delivered(false), delivered(true)
				t.Logf("%d sent one after another, %d of %d at once", seq, conc, inFlight)
				if seq != 20 {
					t.Errorf("one after another, %d delivered, want the base, 20", seq)
				}
				if conc > seq {
					t.Errorf("at once, %d delivered, more than the %d one after another", conc, seq)
				}
			})
		}
	}
}

// TestGuardNoPhantoms: sends refused by a limit are never counted by the
// guard, not even while they are in flight: 150 concurrent sends from a
// subject with no quota left, and 150 to one number (one delivered), leave
// the prefix's allowance to others, and a send by another subject among
// them goes through.
func TestGuardNoPhantoms(t *testing.T) {
	for _, b := range guardBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			clk := vcodetest.NewClock(vcodetest.Start)
			st, lim, _ := b.build(t, clk.Now)
			a, recA := guardInstance(t, st, lim, clk)
			c, recC := guardInstance(t, st, lim, clk)
			// The spent subject's quota (20 an hour) goes on another
			// region; 18 of +86138's 20 go to others.
			for i := range 20 {
				r := verifier.Request{Contact: fmt.Sprintf("+1650253%04d", i), Subject: "spent", ClientIP: fmt.Sprintf("2001:db8:3:%x::1", i)}
				if _, err := a.Send(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 18 {
				if _, err := a.Send(ctx, pumped(i)); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			var other error
			for i := range 301 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v := a
					if i%2 == 1 {
						v = c
					}
					var r verifier.Request
					switch {
					case i == 150:
						_, other = v.Send(ctx, pumped(1000))
						return
					case i < 150:
						r = pumped(2000 + i)
						r.Subject = "spent"
					default:
						r = pumped(3000) // one number
						r.Subject, r.ClientIP = fmt.Sprint("n-", i), fmt.Sprintf("2001:db8:4:%x::1", i)
					}
					var rl *verifier.RateLimitError
					if _, err := v.Send(ctx, r); err != nil && !errors.As(err, &rl) {
						t.Errorf("send %d: %v, want a limit's refusal or a delivery", i, err)
					}
				}()
			}
			wg.Wait()
			if other != nil {
				t.Fatalf("another subject's send among refused ones: %v", other)
			}
			// 18 + the other's + the one number's: at most one, and on
			// the Cluster possibly none (its limits are taken key by key,
			// so concurrent sends to one number can refuse each other in
			// passing). Whatever got through, the guard counted exactly
			// what was delivered: the prefix takes its base of 20 and no
			// more, however many the spent subject asked for.
			delivered := 0
			for _, rec := range []*notify.Recorder{recA, recC} {
				for _, m := range rec.Messages() {
					if strings.HasPrefix(m.To, "+86138") {
						delivered++
					}
				}
			}
			if delivered < 19 || delivered > 20 {
				t.Fatalf("%d delivered to +86138 before the top-up, want 19 or 20", delivered)
			}
			for i := range 20 - delivered {
				if _, err := a.Send(ctx, pumped(4000+i)); err != nil {
					t.Fatalf("top-up send %d of %d, within the base: %v", i+1, 20-delivered, err)
				}
			}
			if _, err := a.Send(ctx, pumped(5000)); !errors.Is(err, verifier.ErrPumping) {
				t.Fatalf("after the base was spent: %v, want refused", err)
			}
		})
	}
}

// guardScenario is a run of sends and verifies over 23 hours 54 minutes:
// real users of +86139 who verify, a campaign of +86138 that never does,
// a burst of 40 to +86137 at once, and a spread over +8615x; it returns
// each send's answer.
func guardScenario(t *testing.T, clk *vcodetest.Clock, pick func(step int) (*verifier.Verifier, *notify.Recorder)) []string {
	ctx := context.Background()
	var answers []string
	for step := range 360 {
		v, rec := pick(step)
		if step == 100 {
			// A burst: 40 sends in a moment to a prefix never sent to.
			for i := range 40 {
				r := verifier.Request{Contact: fmt.Sprintf("+86137%08d", i), Subject: fmt.Sprint("b", i)}
				_, err := v.Send(ctx, r)
				answers = append(answers, fmt.Sprint("burst ", errors.Is(err, verifier.ErrPumping)))
			}
		}
		var r verifier.Request
		switch step % 4 {
		case 0, 1:
			r = verifier.Request{Contact: fmt.Sprintf("+86139%08d", step), Subject: fmt.Sprint("u", step)}
		case 2:
			r = pumped(step)
		default:
			r = verifier.Request{Contact: fmt.Sprintf("+8615%d%08d", step%10, step), Subject: fmt.Sprint("s", step)}
		}
		_, err := v.Send(ctx, r)
		answer := "sent"
		switch {
		case errors.Is(err, verifier.ErrPumping):
			answer = "pumping"
		case err != nil:
			answer = err.Error()
		case step%4 == 0:
			code, _ := rec.LastCode(r.Contact)
			if _, err := v.Verify(ctx, r, code); err != nil {
				t.Fatalf("verify %d: %v", step, err)
			}
			// The conversion is written just after the answer: the next
			// step may be another instance's, which sees it once written.
			v.Flush(ctx)
		}
		answers = append(answers, answer)
		clk.Advance(time.Duration(1+step%7) * time.Minute)
	}
	return answers
}

// TestGuardStoreDecides: everything the guard decides on is in the store.
// A second instance started on the same store half-way through, sharing
// the traffic, decides as one instance alone would; and an instance whose
// store was emptied under it, after a day of traffic, decides as a new
// instance on an empty store.
func TestGuardStoreDecides(t *testing.T) {
	for _, b := range guardBackends {
		t.Run(b.name, func(t *testing.T) {
			alone := func() []string {
				clk := vcodetest.NewClock(vcodetest.Start)
				st, lim, _ := b.build(t, clk.Now)
				v, rec := guardInstance(t, st, lim, clk)
				return guardScenario(t, clk, func(int) (*verifier.Verifier, *notify.Recorder) { return v, rec })
			}()
			clk := vcodetest.NewClock(vcodetest.Start)
			st, lim, empty := b.build(t, clk.Now)
			a, arec := guardInstance(t, st, lim, clk)
			var c *verifier.Verifier
			var crec *notify.Recorder
			two := guardScenario(t, clk, func(step int) (*verifier.Verifier, *notify.Recorder) {
				if step < 180 {
					return a, arec
				}
				if c == nil {
					c, crec = guardInstance(t, st, lim, clk)
				}
				if step%2 == 1 {
					return c, crec
				}
				return a, arec
			})
			if !slices.Equal(alone, two) {
				t.Fatalf("two instances on one store decided otherwise than one:\n one: %v\n two: %v", alone, two)
			}
			if empty == nil {
				return // a memory store cannot be emptied under its instance
			}
			// Another day on the store, and a has two days of history;
			// then its store goes empty.
			next := func(days int) { clk.Advance(vcodetest.Start.Add(time.Duration(days) * 24 * time.Hour).Sub(clk.Now())) }
			next(1)
			guardScenario(t, clk, func(step int) (*verifier.Verifier, *notify.Recorder) {
				if step%2 == 1 {
					return c, crec
				}
				return a, arec
			})
			next(2)
			empty()
			again := guardScenario(t, clk, func(int) (*verifier.Verifier, *notify.Recorder) { return a, arec })
			if !slices.Equal(alone, again) {
				t.Fatalf("an instance on an emptied store decided otherwise than a new one:\n new: %v\n emptied: %v", alone, again)
			}
		})
	}
}
