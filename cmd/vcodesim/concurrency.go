package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/verifier"
)

// The concurrency run: a burst of sends in flight at once to one prefix
// that never verifies, through two Verifiers on one store and limiter (two
// hosts on one Redis), against the same sends made one after another. A
// guard whose decision and record are one atomic step lets no more of
// them through concurrently than sequentially.

// concurrencyTarget is the burst's prefix: no real user sends to it.
var concurrencyTarget = roundsTarget

// historyUsers are the real users a day of the concurrency run's history
// has: enough for the guard to have a day of history on the store, few
// enough to replay quickly on Redis.
const historyUsers = 2000

// burstAt is when the burst comes: just after the history's day, so that
// the history's first send is over a day old.
const burstAt = 10 * time.Minute

// concBackend is a backend of the concurrency run.
type concBackend struct {
	name string
	// build returns a backend whose instances share one fresh store
	// and limiter (one fresh key prefix on Redis), and a function that
	// removes what it left.
	build func() (backend, func(), error)
}

// memoryBackend shares one memory store and limiter between instances.
func memoryBackend() (backend, func(), error) {
	var (
		st  *store.Memory
		lim *limiter.Memory
	)
	b := func(now func() time.Time, i int) (store.CodeStore, limiter.Limiter, []io.Closer, error) {
		if i == 0 {
			st, lim = store.NewMemory(store.WithClock(now)), limiter.NewMemory(limiter.WithClock(now))
			return st, lim, []io.Closer{st, lim}, nil
		}
		return st, lim, nil, nil
	}
	return b, func() {}, nil
}

// redisBackend gives each instance a client of its own, as two hosts
// have, on one fresh key prefix; newClient makes a client.
func redisBackend(newClient func() redis.UniversalClient) func() (backend, func(), error) {
	return func() (backend, func(), error) {
		var id [6]byte
		rand.Read(id[:])
		prefix := "vcodesim:" + hex.EncodeToString(id[:]) + ":"
		b := func(now func() time.Time, i int) (store.CodeStore, limiter.Limiter, []io.Closer, error) {
			c := newClient()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.Ping(ctx).Err(); err != nil {
				c.Close()
				return nil, nil, nil, fmt.Errorf("redis: %w", err)
			}
			st, errS := redisstore.New(c, prefix+"c:", redisstore.WithClock(now), redisstore.WithTimeout(10*time.Second))
			lim, errL := redislimiter.New(c, prefix+"l:", redislimiter.WithClock(now), redislimiter.WithTimeout(10*time.Second))
			if err := errors.Join(errS, errL); err != nil {
				c.Close()
				return nil, nil, nil, err
			}
			return st, lim, []io.Closer{c}, nil
		}
		cleanup := func() {
			c := newClient()
			defer c.Close()
			unlinkPrefix(c, prefix)
		}
		return b, cleanup, nil
	}
}

// unlinkPrefix removes the keys under prefix, on every master of a
// Cluster; best effort (the keys expire anyway).
func unlinkPrefix(c redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scan := func(ctx context.Context, node redis.UniversalClient) error {
		var cursor uint64
		for range 100_000 { // bounded: 100 keys a step
			keys, next, err := node.Scan(ctx, cursor, prefix+"*", 100).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				node.Unlink(ctx, k) // one key a call: a Cluster's keys lie in many slots
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
		return nil
	}
	if cc, ok := c.(*redis.ClusterClient); ok {
		cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error { return scan(ctx, node) })
		return
	}
	scan(ctx, c)
}

// concResult is one backend's burst, with a day of history or on a fresh
// store.
type concResult struct {
	Backend  string `json:"backend"`
	History  bool   `json:"history"`
	InFlight int    `json:"in_flight"`
	// Sequential is how many of the sends were delivered one after
	// another; Concurrent, in each trial, all at once.
	Sequential int   `json:"sequential_delivered"`
	Concurrent []int `json:"concurrent_delivered"`
	// Errors counts sends that failed otherwise than refused (backend
	// errors, timeouts), over every trial.
	Errors   int    `json:"errors"`
	FirstErr string `json:"first_error,omitempty"`
}

// runConcurrency runs the burst on each backend, with a day of history
// and on a fresh store: sequentially once, concurrently trials times.
func runConcurrency(seed uint64, lv level, backends []concBackend, inFlight, trials int, stderr io.Writer) ([]*concResult, error) {
	hist, err := newScenario(scenarioConfig{seed: seed, users: historyUsers, scale: 1, warmup: 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	fresh, err := newScenario(scenarioConfig{seed: seed, users: 0, scale: 1})
	if err != nil {
		return nil, err
	}
	var out []*concResult
	for _, b := range backends {
		for _, history := range []bool{true, false} {
			sc := fresh
			if history {
				sc = hist
			}
			res := &concResult{Backend: b.name, History: history, InFlight: inFlight}
			for trial := range trials + 1 {
				t := time.Now()
				n, errs, first, err := burst(sc, lv, b, inFlight, trial > 0)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", b.name, err)
				}
				if trial == 0 {
					res.Sequential = n
				} else {
					res.Concurrent = append(res.Concurrent, n)
				}
				res.Errors += errs
				if res.FirstErr == "" {
					res.FirstErr = first
				}
				fmt.Fprintf(stderr, "vcodesim: concurrency on %s (history %v, trial %d) took %v\n", b.name, history, trial, time.Since(t).Round(time.Millisecond))
			}
			out = append(out, res)
		}
	}
	return out, nil
}

// burst replays sc's traffic until burstAt through two Verifiers on a
// fresh backend, then sends inFlight SMS to concurrencyTarget, each to a
// number of its own from a subject and an IP of its own (no quota stops
// them): all at once when concurrent, else one after another. It returns
// how many were delivered, and how many failed otherwise than refused.
func burst(sc *scenario, lv level, b concBackend, inFlight int, concurrent bool) (delivered, errs int, firstErr string, err error) {
	be, cleanup, err := b.build()
	if err != nil {
		return 0, 0, "", err
	}
	defer cleanup()
	r, err := newRunner(sc, lv, be, 2)
	if err != nil {
		return 0, 0, "", err
	}
	defer r.close()
	r.scheduleLegit()
	r.loop(burstAt)
	if r.now < burstAt {
		r.clock.Advance(burstAt - r.now)
		r.now = burstAt
	}
	rng, t := newRand(sc.seed, "concurrency"), concurrencyTarget
	reqs := make([]verifier.Request, inFlight)
	seen := map[string]bool{}
	for i := range reqs {
		n := ""
		for range 100 {
			if n = number(rng, t.prefix, t.cc, t.natLen, 1000); !seen[n] {
				break
			}
		}
		if n == "" || seen[n] {
			return 0, 0, "", fmt.Errorf("no %d valid numbers under %s", inFlight, t.prefix)
		}
		seen[n] = true
		reqs[i] = verifier.Request{Contact: n, Subject: fmt.Sprintf("burst-acct-%d", i), ClientIP: fmt.Sprintf("2001:db8:b:%x::1", i)}
	}
	var (
		ok, bad atomic.Int64
		mu      sync.Mutex
	)
	one := func(v api, req verifier.Request) {
		_, err := v.Send(r.ctx, req)
		switch {
		case err == nil:
			ok.Add(1)
		case isRefusal(err):
		default:
			bad.Add(1)
			mu.Lock()
			if firstErr == "" {
				firstErr = err.Error()
			}
			mu.Unlock()
		}
	}
	r.quiet.Store(true)
	if !concurrent {
		for i, req := range reqs {
			one(r.vs[i%2], req)
		}
		return int(ok.Load()), int(bad.Load()), firstErr, nil
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			one(r.vs[i%2], req)
		}()
	}
	close(start)
	wg.Wait()
	return int(ok.Load()), int(bad.Load()), firstErr, nil
}

// isRefusal reports whether err is the Verifier refusing a send (the
// guard, a limit), not failing it.
func isRefusal(err error) bool {
	switch verifier.Classify(err) {
	case delivery.ErrNotAllowed, verifier.ErrTooFrequent, verifier.ErrTooManyAttempts:
		return true
	}
	return false
}

// parseAddrs splits a comma-separated list of host:port.
func parseAddrs(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// checkConcurrency returns each burst that got more through concurrently
// than sequentially.
func checkConcurrency(rs []*concResult) []string {
	var out []string
	for _, c := range rs {
		for i, n := range c.Concurrent {
			if n > c.Sequential {
				out = append(out, fmt.Sprintf("concurrency on %s (%s), trial %d: %d of %d sends in flight delivered, %d one after another (target: no more)",
					c.Backend, historyName(c.History), i+1, n, c.InFlight, c.Sequential))
			}
		}
		if c.Errors > 0 {
			out = append(out, fmt.Sprintf("concurrency on %s (%s): %d sends failed, first: %s", c.Backend, historyName(c.History), c.Errors, c.FirstErr))
		}
	}
	return out
}

func historyName(h bool) string {
	if h {
		return "a day of history"
	}
	return "fresh store"
}

// printConcurrency prints the bursts.
func printConcurrency(w io.Writer, lv string, rs []*concResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n== concurrency, guard level %s: %d sends in flight at once to %s (never verified, a subject, IP and number\n",
		lv, rs[0].InFlight, concurrencyTarget.prefix)
	fmt.Fprintf(w, "   each) through two Verifiers on one store and limiter, against the same sends one after another; history:\n")
	fmt.Fprintf(w, "   %d real users a day, on the fake clock of redislimiter/redisstore WithClock ==\n", historyUsers)
	fmt.Fprintf(w, "%-8s %-17s %10s  %s\n", "backend", "store", "sequential", "concurrent (each trial)")
	for _, c := range rs {
		var ns []string
		above := ""
		for _, n := range c.Concurrent {
			ns = append(ns, fmt.Sprint(n))
			if n > c.Sequential {
				above = "  MORE THAN SEQUENTIAL"
			}
		}
		errs := ""
		if c.Errors > 0 {
			errs = fmt.Sprintf("  (%d errors)", c.Errors)
		}
		fmt.Fprintf(w, "%-8s %-17s %10d  %s%s%s\n", c.Backend, historyName(c.History), c.Sequential, strings.Join(ns, " "), above, errs)
	}
}
