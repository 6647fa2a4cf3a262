package limiter

import (
	"context"
	"slices"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

// Memory is a Limiter for a single process, on github.com/patrickmn/go-cache.
//
// A key with one event in its window, the usual case, is kept packed
// beside its shard's go-cache, under the same mutex and swept with it, in
// some 27 bytes of map slot; keys with more events are go-cache items (see
// memory_packed.go).
//
// Each key keeps the times of at most limit events, newest last. The keys
// are spread by a seeded hash over 128 go-caches (shards), each under one
// mutex, the one lock a call takes: a call is atomic under its key's
// shard's mutex. go-cache expires a key one longest window after its
// newest event, and deletes a shard's expired keys under that mutex, a
// shard at a time, so that each shard is swept once a minute and a call
// waits for a sweep of at most 1/128 of the keys; memory is bounded by the
// number of keys active within a window (plus a minute). Under a clock
// given with WithClock, that clock alone expires keys, and the sweeps
// delete by it.
//
// NewMemory allocates little and starts nothing: the shards and the
// sweeper come with the first call of a method. Close stops
// the sweeper; call it when done with the limiter (a Memory that becomes
// unreachable unclosed has its sweeper stopped by the garbage collector,
// eventually).
type Memory struct {
	options // what NewMemory was given: now, the clock

	mem   memcache.Lazy // the shards, made on first use
	guard memcache.Lazy // the pumping guard's counts by region, apart from the keys
}

var _ BatchLimiter = (*Memory)(nil)

// events holds unix-nanosecond event times in ascending order, for a key
// with more than one event in its window.
type events struct {
	times []int64
}

// single is the value kept for a key with exactly one event in its window,
// the usual case (a cooldown, a contact's one send): boxed, it costs an
// 8-byte allocation instead of an events and its slice.
type single int64

// load returns the times kept for key in its shard sh, ascending, and
// where: packed reports a packed event (see memory_packed.go), in
// scratch; otherwise ev is the key's go-cache events value when it has
// one, for reuse, and a go-cache single is in scratch. The mutex must be
// held.
func load(sh *memcache.Shard, key string, scratch *[1]int64) (times []int64, ev *events, packed bool) {
	if t, ok := packedOf(sh).get(key); ok {
		scratch[0] = t
		return scratch[:], nil, true
	}
	v, ok := sh.Get(key)
	if !ok {
		return nil, nil, false
	}
	switch v := v.(type) {
	case single:
		scratch[0] = int64(v)
		return scratch[:], nil, false
	case *events:
		return v.times, v, false
	}
	return nil, nil, false
}

// keep records the key's events, live then t, ascending, where they
// belong: one event packed if there is room, otherwise a go-cache item
// expiring a longest window after t (ev, the key's events value when it
// had one, reused); and forgets them in the other place. The mutex must
// be held.
func keep(sh *memcache.Shard, key string, live []int64, t int64, maxWindow time.Duration, ev *events, packed bool) {
	p := packedOf(sh)
	if len(live) == 0 && p.put(key, t, maxWindow) {
		if !packed {
			sh.Delete(key)
		}
		return
	}
	if packed {
		p.remove(key)
	}
	if len(live) == 0 {
		sh.Set(key, single(t), maxWindow)
		return
	}
	if ev == nil {
		ev = &events{times: make([]int64, 0, len(live)+1)}
	}
	ev.times = append(append(ev.times[:0], live...), t)
	sh.Set(key, ev, maxWindow)
}

// init readies m on first use: the shards and, unless m is closed, the
// sweeper.
func (m *Memory) init() { memcache.Init(&m.mem, m) }

// shard returns the shard holding key; its mutex guards the key.
func (m *Memory) shard(key string) *memcache.Shard {
	m.init()
	return m.mem.Shard(key)
}

// Close stops the goroutine that drops keys whose window has passed, and
// returns once it has exited. It always returns nil, and may be called any
// number of times, concurrently with the other methods.
//
// The limiter stays usable after Close and decides as before: event times
// are checked against the window on every call, so events out of their
// window never count. But nothing drops stale keys any more; each stays in
// memory until an event is allowed for it again. Close a limiter when done
// with it.
func (m *Memory) Close() error {
	m.mem.Close()
	m.guard.Close()
	return nil
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, rules ...Rule) (Decision, error) {
	maxLimit, maxWindow, err := CheckRules(rules)
	if err != nil {
		return Decision{}, err
	}
	t := m.now().UnixNano()
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()

	var scratch [1]int64
	times, ev, packed := load(sh, key, &scratch)
	if n := len(times); n > 0 && t < times[n-1] {
		// The wall clock stepped back; keep the times ascending so the
		// window arithmetic stays exact.
		t = times[n-1]
	}
	live := inWindow(times, t, maxWindow)
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
	// Keep only what can matter: the newest maxLimit-1 live events plus
	// this one. The sweep forgets the key once its newest event has left
	// the longest window.
	if len(live) > maxLimit-1 {
		live = live[len(live)-(maxLimit-1):]
	}
	keep(sh, key, live, t, maxWindow, ev, packed)
	return Decision{Allowed: true, Remaining: remaining, At: time.Unix(0, t)}, nil
}

// inWindow returns the suffix of ascending times inside (t-window, t].
func inWindow(times []int64, t int64, window time.Duration) []int64 {
	// times is in order: the first one after t-window, by halves (a busy
	// key holds thousands).
	i, _ := slices.BinarySearch(times, t-int64(window)+1)
	return times[i:]
}

// Release implements Limiter.
func (m *Memory) Release(_ context.Context, key string, at time.Time) error {
	t := at.UnixNano()
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	var scratch [1]int64
	times, ev, packed := load(sh, key, &scratch)
	for i := len(times) - 1; i >= 0; i-- {
		if times[i] != t {
			continue
		}
		switch {
		case packed:
			packedOf(sh).remove(key)
		case len(times) == 1:
			sh.Delete(key)
		case ev != nil:
			// Keep the key's expiry: the events left are no newer.
			ev.times = append(times[:i], times[i+1:]...)
		}
		break
	}
	return nil
}

// Len returns the number of keys held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int {
	m.init()
	return m.mem.Len()
}
