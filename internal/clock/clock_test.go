package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
)

// TestManual: the clock stands still until moved, forward or back, and
// concurrent moves all count.
func TestManual(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	c := clock.NewManual(start)
	if first, second := c.Now(), c.Now(); !first.Equal(start) || !second.Equal(start) {
		t.Fatalf("Now = %v then %v, want %v twice", first, second, start)
	}
	c.Advance(-time.Hour)
	if want := start.Add(-time.Hour); !c.Now().Equal(want) {
		t.Fatalf("after Advance(-1h): %v, want %v", c.Now(), want)
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { c.Advance(time.Minute) })
	}
	wg.Wait()
	if want := start.Add(40 * time.Minute); !c.Now().Equal(want) {
		t.Fatalf("after 100 concurrent minutes: %v, want %v", c.Now(), want)
	}
}
