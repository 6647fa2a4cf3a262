// Package stripe gives the in-memory backends a fixed set of mutexes striped
// by key, so that a read-modify-write on one key is atomic while unrelated
// keys rarely wait for each other.
package stripe

import (
	"hash/maphash"
	"sync"
)

const stripes = 256

// Locks is a set of mutexes; the zero value is not ready, use New.
type Locks struct {
	seed  maphash.Seed
	locks [stripes]sync.Mutex
}

// New returns a set of striped locks with a random seed, so that nobody can
// pick keys that all share one stripe.
func New() *Locks { return &Locks{seed: maphash.MakeSeed()} }

// For returns the mutex guarding key.
func (l *Locks) For(key string) *sync.Mutex {
	return &l.locks[maphash.String(l.seed, key)%stripes]
}
