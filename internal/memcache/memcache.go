// Package memcache is what the in-memory store and limiter share around
// go-cache: their entries spread over Shards go-caches by a seeded hash of
// the key, each shard under one mutex, all made on first use; go-cache's
// per-item expiry on every entry; and a goroutine that has go-cache delete
// the expired entries one shard at a time, and that Close stops
// (go-cache's janitor can be stopped only by the cache becoming garbage).
//
// # One lock
//
// A call of the store or the limiter is a read-modify-write of one key (a
// Consume counts an attempt, an Allow appends an event), atomic, and
// go-cache has no such primitive: each of its methods takes its own lock
// for one read or one write. So a shard is a go-cache made by
// cache.NewFrom over a map the shard keeps too, and the shard's mutex is
// the one lock over both. The owner reads and writes go-cache's items
// under it, with go-cache's expiry (a cache.Item's Expiration, set as
// go-cache's Set sets it; Item.Expired on every read, as go-cache's Get
// checks it); the sweeper holds it while go-cache's DeleteExpired deletes
// the shard's expired items. go-cache's own lock is then taken only inside
// DeleteExpired, by the goroutine that already holds the mutex, so it
// never waits. (go-cache documents that only its methods synchronise the
// map given to NewFrom; here the mutex synchronises every access, its
// methods' included.)
//
// # Sweeps
//
// Sharding bounds the stall a sweep causes: DeleteExpired holds the lock
// while it ranges over every entry of its cache (some 25 to 40 ms at a
// million in one map), and the calls on that cache's keys wait for it. A
// shard holds about 1/Shards of the entries, and the sweeper visits one
// shard per tick of SweepInterval/Shards, so each entry is still reclaimed
// within about a SweepInterval of expiring, while a sweep holds one
// shard's lock for about 1/Shards of the time.
//
// # Clocks
//
// go-cache's expiry is by time.Now, and it is what decides under the
// default clock. An owner given another clock (a test's manual clock) has
// SetClock hand it over, and then that clock alone decides: Set computes
// an item's Expiration by it, Get and the sweeps judge it by it, and
// go-cache's Item.Expired and DeleteExpired, which would judge it by
// time.Now, are not called on such a cache. So an entry neither vanishes
// because real time passed its deadline while the clock stood still, nor
// outlives a deadline the clock was moved past. The sweeps still come at
// the ticks of real time.
//
// # Packed entries
//
// go-cache keeps an entry as a string key and a cache.Item (an interface
// and an int64) in a map: some 40 bytes a slot, plus the key's and the
// value's own allocations. An owner whose usual entries have a fixed size
// (a 16-byte key and one record, one event time) can keep those in a
// layout of its own, a Packed given to SetPacked, one per shard beside the
// shard's go-cache and under the same mutex; the rest stay in go-cache.
// The sweeps delete a Packed's expired entries with go-cache's, judged by
// the same clock.
package memcache

import (
	"hash/maphash"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/patrickmn/go-cache"
)

// SweepInterval is how often each entry's shard is swept.
const SweepInterval = time.Minute

// Shards is the number of go-caches an owner's entries are spread over (a
// power of two). An empty shard costs about 190 bytes, made once per owner.
const Shards = 128

// Shard is one go-cache and the mutex that guards it: its owner holds the
// mutex around every Get, Set and Delete of the shard's keys (and so
// around a read-modify-write of one), the sweeper around DeleteExpired.
type Shard struct {
	sync.Mutex
	items map[string]cache.Item // c's items
	c     *cache.Cache          // over items; no janitor, see Lazy
	now   func() time.Time      // the owner's clock; nil for go-cache's, time.Now
	p     Packed                // the owner's packed entries, or nil; see SetPacked

	// A cache line each, so that cores taking the mutexes of different
	// shards do not contend for one line.
	_ [cacheLine - unsafe.Sizeof(sync.Mutex{}) - 5*unsafe.Sizeof(uintptr(0))]byte
}

// Packed is the entries an owner keeps in a shard outside go-cache, in a
// layout of its own (see the package doc), guarded by the shard's mutex.
type Packed interface {
	// Sweep deletes the entries expired at now (unix nanoseconds by the
	// shard's clock): those whose deadline is before now, as go-cache's
	// Item.Expired judges.
	Sweep(now int64)
	// Len returns the number of entries held.
	Len() int
}

const cacheLine = 64

// newShard returns an empty shard: a go-cache over a map of its own,
// without a janitor or a default expiration, whose items expire by now
// (nil for go-cache's own expiry, by time.Now).
func newShard(now func() time.Time, p Packed) Shard {
	items := map[string]cache.Item{}
	return Shard{items: items, c: cache.NewFrom(cache.NoExpiration, 0, items), now: now, p: p}
}

// Packed returns the shard's packed entries, made by the function given
// to SetPacked, or nil. The mutex must be held to use them.
func (s *Shard) Packed() Packed { return s.p }

// expired reports whether it is past its Expiration: by go-cache's
// Item.Expired under the default clock, by the owner's clock otherwise,
// with the same comparison.
func (s *Shard) expired(it cache.Item) bool {
	if s.now == nil {
		return it.Expired()
	}
	return it.Expiration > 0 && s.now().UnixNano() > it.Expiration
}

// Get returns the value under key, unless it is missing or expired by the
// shard's clock (go-cache's, time.Now, by default). The mutex must be
// held.
func (s *Shard) Get(key string) (any, bool) {
	it, ok := s.items[key]
	if !ok || s.expired(it) {
		return nil, false
	}
	return it.Object, true
}

// Set puts v under key, expiring d from now by the shard's clock as
// go-cache's Set does by time.Now (never, for d <= 0). The mutex must be
// held.
func (s *Shard) Set(key string, v any, d time.Duration) {
	var exp int64
	switch {
	case d <= 0:
	case s.now == nil:
		exp = time.Now().Add(d).UnixNano()
	default:
		exp = s.now().Add(d).UnixNano()
	}
	s.items[key] = cache.Item{Object: v, Expiration: exp}
}

// Delete removes key. The mutex must be held.
func (s *Shard) Delete(key string) { delete(s.items, key) }

// sweep deletes the shard's expired items, under the mutex: go-cache's
// DeleteExpired does under the default clock; under the owner's clock,
// the same loop judged by that clock, read once. The packed entries are
// swept by the same clock.
func (s *Shard) sweep() {
	s.Lock()
	defer s.Unlock()
	if s.now == nil {
		s.c.DeleteExpired()
		if s.p != nil {
			s.p.Sweep(time.Now().UnixNano())
		}
		return
	}
	now := s.now().UnixNano()
	for k, it := range s.items {
		if it.Expiration > 0 && now > it.Expiration {
			delete(s.items, k)
		}
	}
	if s.p != nil {
		s.p.Sweep(now)
	}
}

// count returns the number of entries, go-cache's and the packed ones,
// expired ones not yet swept included.
func (s *Shard) count() int {
	s.Lock()
	defer s.Unlock()
	n := s.c.ItemCount()
	if s.p != nil {
		n += s.p.Len()
	}
	return n
}

// Lazy is a sharded cache made on first use. The zero value is ready; it is
// a field of its owner, and must not be copied after first use.
type Lazy struct {
	shards []Shard // set by Init; the length is a power of two
	seed   maphash.Seed
	n      int              // shards to make, 0 for Shards; see SetShards
	now    func() time.Time // the owner's clock, nil for time.Now; see SetClock
	packed func() Packed    // makes a shard's packed entries, or nil; see SetPacked

	ready  sync.Once
	mu     sync.Mutex // guards closed and sweep
	closed bool
	sweep  *sweeper
}

// SetShards makes Init make n shards instead of Shards; n must be a power of
// two. It is for benchmarks comparing layouts (1 is go-cache's single map
// and lock) and must be called before Init.
func (l *Lazy) SetShards(n int) {
	if n < 1 || n&(n-1) != 0 {
		panic("memcache: shard count not a power of two")
	}
	l.n = n
}

// SetClock makes the entries expire by now, and by now only, instead of
// by go-cache's expiry (time.Now); a nil now keeps go-cache's. An owner
// given a clock calls it before Init, when it is made.
func (l *Lazy) SetClock(now func() time.Time) { l.now = now }

// SetPacked makes Init give every shard the packed entries newPacked
// returns (see Packed). An owner calls it before Init.
func (l *Lazy) SetPacked(newPacked func() Packed) { l.packed = newPacked }

// Init makes the shards (go-caches without a janitor) on its first call and,
// unless Close came first, starts the sweeper. An owner that becomes
// unreachable without Close has its sweeper stopped by the garbage
// collector, eventually, as go-cache's finalizer stops its janitor.
func Init[T any](l *Lazy, owner *T) {
	l.ready.Do(func() {
		n := l.n
		if n == 0 {
			n = Shards
		}
		shards := make([]Shard, n)
		for i := range shards {
			var p Packed
			if l.packed != nil {
				p = l.packed()
			}
			shards[i] = newShard(l.now, p)
		}
		l.seed = maphash.MakeSeed()
		l.shards = shards
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.closed {
			return
		}
		l.sweep = startSweeper(shards, SweepInterval)
		runtime.AddCleanup(owner, (*sweeper).stop, l.sweep)
	})
}

// Shard returns the shard holding key, whose mutex guards it. Init must
// have been called. The seed is random, so that nobody can pick keys that
// all share one shard.
func (l *Lazy) Shard(key string) *Shard {
	return &l.shards[maphash.String(l.seed, key)&uint64(len(l.shards)-1)]
}

// Len returns the number of entries held, expired ones not yet swept
// included. Init must have been called.
func (l *Lazy) Len() int {
	n := 0
	for i := range l.shards {
		n += l.shards[i].count()
	}
	return n
}

// NumShards returns the number of shards. Init must have been called.
func (l *Lazy) NumShards() int { return len(l.shards) }

// Sweep deletes the expired entries of shard i, as one tick of the sweeper
// does; benchmarks call it to force sweeps. Init must have been called.
func (l *Lazy) Sweep(i int) { l.shards[i].sweep() }

// Close stops the sweeper and returns once it has exited. It may be called
// any number of times, concurrently with Init and the cache's use. The
// cache stays usable; nothing sweeps it any more.
func (l *Lazy) Close() {
	l.mu.Lock()
	l.closed = true
	s := l.sweep
	l.mu.Unlock()
	if s != nil {
		s.stop()
		<-s.done
	}
}

// sweeper is the goroutine that reclaims the shards' expired entries. It
// holds no reference to the owner, so that an unreachable owner can be
// collected and its cleanup stop the sweeper.
type sweeper struct {
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{} // closed when the goroutine returns
}

// startSweeper starts a goroutine that sweeps one shard after another,
// one per tick of every/len(shards), so that each shard is swept once
// every interval, until stop is called.
func startSweeper(shards []Shard, every time.Duration) *sweeper {
	s := &sweeper{stopCh: make(chan struct{}), done: make(chan struct{})}
	go s.run(shards, max(every/time.Duration(len(shards)), 1))
	return s
}

func (s *sweeper) run(shards []Shard, tick time.Duration) {
	defer close(s.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for i := 0; ; {
		select {
		case <-t.C:
			shards[i].sweep()
			if i++; i == len(shards) {
				i = 0
			}
		case <-s.stopCh:
			return
		}
	}
}

// stop asks the goroutine to return, without waiting; it may be called any
// number of times, concurrently.
func (s *sweeper) stop() { s.stopOnce.Do(func() { close(s.stopCh) }) }
