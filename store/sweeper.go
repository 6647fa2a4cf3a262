package store

import (
	"sync"
	"time"

	"github.com/patrickmn/go-cache"
)

// sweepInterval is how often a Memory's sweeper reclaims expired records,
// the interval go-cache's own janitor used to run at.
const sweepInterval = time.Minute

// sweeper is the goroutine that reclaims a cache's expired entries, in place
// of go-cache's janitor, which offers no way to stop it short of the cache
// becoming garbage. It holds no reference to the Memory it serves, so that
// an unreachable Memory can be collected and its cleanup stop the sweeper.
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
