// Package leakcheck finds the goroutines a test left running: those whose
// stacks run code of this module or of go-cache, and that were not there
// before. The in-memory backends' Close tests use it; goleak does the same
// for the adopter module, outside the core's dependencies.
package leakcheck

import (
	"runtime"
	"strings"
	"time"
)

// Snapshot returns the stacks of the live goroutines that run code of
// this module or of go-cache, by goroutine header ("goroutine 7 [select]:"
// up to the space before the state), leaving out the caller's.
func Snapshot() map[string]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	ours := map[string]string{}
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 {
			continue // the caller, listed first
		}
		if strings.Contains(g, "github.com/vcodekit/vcode/") || strings.Contains(g, "github.com/patrickmn/go-cache") {
			id, _, _ := strings.Cut(g, " [")
			ours[id] = g
		}
	}
	return ours
}

// LeftOver waits up to two seconds, since a goroutine exits asynchronously,
// for every goroutine of ours not in before to end, and returns the stacks
// of those that have not. gc collects garbage between looks, for cleanups.
func LeftOver(before map[string]string, gc bool) []string {
	deadline := time.Now().Add(2 * time.Second)
	for {
		if gc {
			runtime.GC()
		}
		var left []string
		for id, g := range Snapshot() {
			if _, ok := before[id]; !ok {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond)
	}
}
