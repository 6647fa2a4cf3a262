// Package memcache is what the in-memory store and limiter share around
// their go-cache: the cache and its striped locks made on first use, and a
// goroutine of vcode's own that sweeps the expired entries and that Close
// stops (go-cache's janitor can be stopped only by the cache becoming
// garbage).
package memcache

import (
	"runtime"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/vcodekit/vcode/internal/stripe"
)

// SweepInterval is how often expired entries are reclaimed, the interval
// go-cache's own janitor ran at for vcode.
const SweepInterval = time.Minute

// Lazy is a cache made on first use. The zero value is ready; it is a
// field of its owner, and must not be copied after first use.
type Lazy struct {
	// Cache and Locks are set by Init.
	Cache *cache.Cache
	Locks *stripe.Locks

	ready  sync.Once
	mu     sync.Mutex // guards closed and sweep
	closed bool
	sweep  *sweeper
}

// Init sets Cache (go-cache's janitor off) and Locks on its first call and,
// unless Close came first, starts the sweeper. An owner that becomes
// unreachable without Close has its sweeper stopped by the garbage
// collector, eventually, as go-cache's finalizer stopped its janitor.
func Init[T any](l *Lazy, owner *T) {
	l.ready.Do(func() {
		l.Cache = cache.New(cache.NoExpiration, 0)
		l.Locks = stripe.New()
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.closed {
			return
		}
		l.sweep = startSweeper(l.Cache, SweepInterval)
		runtime.AddCleanup(owner, (*sweeper).stop, l.sweep)
	})
}

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

// sweeper is the goroutine that reclaims a cache's expired entries. It
// holds no reference to the owner, so that an unreachable owner can be
// collected and its cleanup stop the sweeper.
type sweeper struct {
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{} // closed when the goroutine returns
}

// startSweeper starts a goroutine that calls c.DeleteExpired every interval
// until stop is called.
func startSweeper(c *cache.Cache, every time.Duration) *sweeper {
	s := &sweeper{stopCh: make(chan struct{}), done: make(chan struct{})}
	go s.run(c, every)
	return s
}

func (s *sweeper) run(c *cache.Cache, every time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			c.DeleteExpired()
		case <-s.stopCh:
			return
		}
	}
}

// stop asks the goroutine to return, without waiting; it may be called any
// number of times, concurrently.
func (s *sweeper) stop() { s.stopOnce.Do(func() { close(s.stopCh) }) }
