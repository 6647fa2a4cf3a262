package limiter

import (
	"context"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/vcodekit/vcode/internal/stripe"
)

// Memory is a Limiter for a single process, on github.com/patrickmn/go-cache.
//
// Each key keeps the times of at most limit events, newest last; a key with
// no event inside its window is dropped by go-cache's janitor, so memory is
// bounded by the number of keys active within a window.
type Memory struct {
	cache *cache.Cache
	locks *stripe.Locks
	now   func() time.Time
}

var _ Limiter = (*Memory)(nil)

// events holds unix-nanosecond event times in ascending order.
type events struct {
	times []int64
}

// MemoryOption configures a Memory limiter.
type MemoryOption func(*Memory)

// WithClock sets the limiter's clock; tests pass a fake one.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// NewMemory returns an empty in-memory limiter.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		cache: cache.New(cache.NoExpiration, time.Minute),
		locks: stripe.New(),
		now:   time.Now,
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *Memory) lock(key string) *sync.Mutex { return m.locks.For(key) }

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, rules ...Rule) (Decision, error) {
	maxLimit, maxWindow, err := CheckRules(rules)
	if err != nil {
		return Decision{}, err
	}
	t := m.now().UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()

	var ev *events
	if v, ok := m.cache.Get(key); ok {
		ev = v.(*events)
	}
	var live []int64
	if ev != nil {
		if n := len(ev.times); n > 0 && t < ev.times[n-1] {
			// The wall clock stepped back; keep the times ascending so
			// the window arithmetic stays exact.
			t = ev.times[n-1]
		}
		live = inWindow(ev.times, t, maxWindow)
	}
	remaining, retry := maxLimit, time.Duration(0)
	for _, r := range rules {
		in := inWindow(live, t, r.Window)
		if len(in) >= r.Limit {
			// The event that must leave before a new one fits is the
			// Limit-th newest; it leaves the window at its time plus
			// the window.
			retry = max(retry, time.Duration(in[len(in)-r.Limit]+int64(r.Window)-t))
			continue
		}
		remaining = min(remaining, r.Limit-len(in)-1)
	}
	if retry > 0 {
		return Decision{RetryAfter: retry}, nil
	}
	if ev == nil {
		// One slot: most keys see one event per window (a cooldown, a
		// contact's single send); append grows the rest.
		ev = &events{times: make([]int64, 0, 1)}
	}
	// Keep only what can matter: the newest maxLimit-1 live events plus
	// this one.
	if len(live) > maxLimit-1 {
		live = live[len(live)-(maxLimit-1):]
	}
	ev.times = append(append(ev.times[:0], live...), t)
	// go-cache forgets the key once its newest event has left the longest
	// window.
	m.cache.Set(key, ev, maxWindow)
	return Decision{Allowed: true, Remaining: remaining, At: time.Unix(0, t)}, nil
}

// inWindow returns the suffix of ascending times inside (t-window, t].
func inWindow(times []int64, t int64, window time.Duration) []int64 {
	start := t - int64(window)
	i := 0
	for i < len(times) && times[i] <= start {
		i++
	}
	return times[i:]
}

// Release implements Limiter.
func (m *Memory) Release(_ context.Context, key string, at time.Time) error {
	t := at.UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()
	v, ok := m.cache.Get(key)
	if !ok {
		return nil
	}
	ev := v.(*events)
	for i := len(ev.times) - 1; i >= 0; i-- {
		if ev.times[i] == t {
			ev.times = append(ev.times[:i], ev.times[i+1:]...)
			break
		}
	}
	return nil
}

// Len returns the number of keys held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int { return m.cache.ItemCount() }
