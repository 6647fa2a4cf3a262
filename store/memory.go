package store

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/vcodekit/vcode/internal/stripe"
)

// Memory is a CodeStore for a single process, on github.com/patrickmn/go-cache.
//
// Validity is judged by the clock given with WithClock (time.Now by default);
// go-cache's janitor reclaims expired records in real time. Atomicity comes
// from a fixed set of mutexes striped by key, so unrelated keys rarely wait
// for each other.
type Memory struct {
	cache *cache.Cache
	locks *stripe.Locks
	now   func() time.Time
}

var _ CodeStore = (*Memory)(nil)

// memoryRecord is one pending code. A digest of up to 32 bytes (an
// HMAC-SHA256) is kept inline and the rare parts behind one pointer, so a
// record is a single 64-byte allocation.
type memoryRecord struct {
	expires  int64 // unix nanoseconds by the store's clock
	attempts int32
	max      int32
	n        uint8 // length of the inline digest
	inline   [32]byte
	extra    *recordExtra // nil for the usual record
}

// recordExtra holds what most records lack: a digest longer than 32 bytes,
// a sealed payload.
type recordExtra struct {
	long, sealed []byte
}

func (r *memoryRecord) digest() []byte {
	if r.extra != nil && r.extra.long != nil {
		return r.extra.long
	}
	return r.inline[:r.n]
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithClock sets the clock that decides expiry; tests pass a fake one.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// NewMemory returns an empty in-memory store.
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

// Save implements CodeStore.
func (m *Memory) Save(_ context.Context, key string, r Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	rec := &memoryRecord{
		expires: m.now().Add(r.TTL).UnixNano(),
		max:     int32(min(r.MaxAttempts, 1<<30)),
	}
	if len(r.Digest) <= len(rec.inline) {
		rec.n = uint8(copy(rec.inline[:], r.Digest))
	} else {
		rec.extra = &recordExtra{long: append([]byte(nil), r.Digest...)}
	}
	if r.Sealed != nil {
		if rec.extra == nil {
			rec.extra = &recordExtra{}
		}
		rec.extra.sealed = append([]byte(nil), r.Sealed...)
	}
	mu := m.lock(key)
	mu.Lock()
	m.cache.Set(key, rec, r.TTL)
	mu.Unlock()
	return nil
}

// Peek implements CodeStore.
func (m *Memory) Peek(_ context.Context, key string) ([]byte, time.Duration, error) {
	now := m.now().UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()
	v, ok := m.cache.Get(key)
	rec, _ := v.(*memoryRecord)
	if !ok || rec == nil || now >= rec.expires || rec.extra == nil || rec.extra.sealed == nil {
		return nil, 0, nil
	}
	return append([]byte(nil), rec.extra.sealed...), time.Duration(rec.expires - now), nil
}

// dummyDigest is compared against when no record exists, so that a miss
// costs the same comparison as a hit.
var dummyDigest = make([]byte, 32)

// Consume implements CodeStore.
func (m *Memory) Consume(_ context.Context, key string, digest []byte) (Result, error) {
	now := m.now().UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()
	v, ok := m.cache.Get(key)
	rec, _ := v.(*memoryRecord)
	if !ok || rec == nil || now >= rec.expires {
		subtle.ConstantTimeCompare(dummyDigest, digest)
		return NotFound, nil
	}
	if subtle.ConstantTimeCompare(rec.digest(), digest) == 1 {
		m.cache.Delete(key)
		return Match, nil
	}
	rec.attempts++
	if rec.attempts >= rec.max {
		m.cache.Delete(key)
		return Exhausted, nil
	}
	return Mismatch, nil
}

// Delete implements CodeStore.
func (m *Memory) Delete(_ context.Context, key string) error {
	mu := m.lock(key)
	mu.Lock()
	m.cache.Delete(key)
	mu.Unlock()
	return nil
}

// Len returns the number of records held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int { return m.cache.ItemCount() }

// recordSize is asserted by a test: a pending code costs one 64-byte
// allocation besides go-cache's own entry.
const recordSize = 64
