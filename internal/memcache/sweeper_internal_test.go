package memcache

import (
	"testing"
	"time"

	"github.com/patrickmn/go-cache"
)

// TestSweeperReclaims: the sweeper deletes expired entries, as go-cache's
// janitor did, and stop ends it.
func TestSweeperReclaims(t *testing.T) {
	c := cache.New(cache.NoExpiration, 0)
	c.Set("old", 1, time.Nanosecond)
	c.Set("live", 2, time.Hour)
	s := startSweeper(c, time.Millisecond)
	deadline := time.Now().Add(2 * time.Second)
	for c.ItemCount() != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	s.stop()
	s.stop()
	<-s.done
	if _, ok := c.Get("live"); !ok || c.ItemCount() != 1 {
		t.Fatalf("after sweeping: %d items, live kept: %v", c.ItemCount(), ok)
	}
}
