package store

import (
	"bytes"
	"context"
	"crypto/subtle"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

// Memory is a CodeStore for a single process, on github.com/patrickmn/go-cache.
//
// A record under a 16-byte key (the verifier's keys are 128-bit HMACs)
// with a 32-byte digest and no sealed payload, the usual pending code, is
// kept beside its shard's go-cache in a map keyed by the 16 bytes, under
// the same mutex and swept with it (see memcache's Packed): no key string
// and no cache.Item per record. Every other record is a go-cache item.
//
// Validity is judged by the clock given with WithClock (time.Now by default),
// on every read. The records are spread by a seeded hash of the key over
// 128 go-caches (shards), each under one mutex, the one lock a call takes:
// the check-and-consume of one key is atomic under it, and calls on keys
// of other shards do not wait for it. go-cache expires each record its TTL
// after it was saved, and deletes a shard's expired records under that
// mutex, once a minute, a shard at a time, so a call waits for a sweep of
// at most 1/128 of the records. Under a clock given with WithClock, that
// clock alone expires records, and the sweeps delete by it.
//
// NewMemory allocates little and starts nothing: the shards and a sweeping
// goroutine, which reclaims expired records within about a minute of real
// time, come with the first call of a method. Close stops the sweeper; call
// it when done with the store (a Memory that becomes unreachable unclosed
// has its sweeper stopped by the garbage collector, eventually).
type Memory struct {
	options // what NewMemory was given: now, the clock

	mem memcache.Lazy // the shards, made on first use
}

var _ Peeker = (*Memory)(nil)

// memoryRecord is one pending code with the usual 32-byte digest (an
// HMAC-SHA256) and nothing else: a single 48-byte allocation holding no
// pointer, so the garbage collector never scans it.
type memoryRecord struct {
	expires  int64 // unix nanoseconds by the store's clock
	attempts int32
	max      int32
	digest   [32]byte
}

// rareRecord is a pending code with a digest of another length or a sealed
// payload.
type rareRecord struct {
	memoryRecord
	anyDigest []byte // the digest, in place of memoryRecord.digest
	sealed    []byte
}

// record returns the pending code held in v, and its rare parts if any.
func record(v any) (*memoryRecord, *rareRecord) {
	switch r := v.(type) {
	case *memoryRecord:
		return r, nil
	case *rareRecord:
		return &r.memoryRecord, r
	}
	return nil, nil
}

// packedKey is the key of a record kept in packedRecords.
type packedKey = [16]byte

// packedRecords is a shard's usual records (see Memory), by key. It is a
// memcache.Packed.
type packedRecords map[packedKey]*memoryRecord

// Sweep implements memcache.Packed: go-cache's expiry of a record saved
// with its TTL, "now > Expiration".
func (p packedRecords) Sweep(now int64) {
	for k, rec := range p {
		if now > rec.expires {
			delete(p, k)
		}
	}
}

// Len implements memcache.Packed.
func (p packedRecords) Len() int { return len(p) }

func newPackedRecords() memcache.Packed { return packedRecords{} }

// packed returns sh's packed records and key's packed form if key has
// one (16 bytes) and sh packs records. The mutex must be held.
func packed(sh *memcache.Shard, key string) (packedRecords, packedKey, bool) {
	var k packedKey
	p, _ := sh.Packed().(packedRecords)
	if len(key) != len(k) || p == nil {
		return nil, k, false
	}
	copy(k[:], key)
	return p, k, true
}

// lookup returns the record held under key in sh, packed or in go-cache,
// and its rare parts if any. The mutex must be held.
func lookup(sh *memcache.Shard, key string) (*memoryRecord, *rareRecord) {
	if p, k, ok := packed(sh, key); ok {
		if rec := p[k]; rec != nil {
			return rec, nil
		}
	}
	v, _ := sh.Get(key)
	return record(v)
}

// remove deletes key's record from sh, wherever it is. The mutex must be
// held.
func remove(sh *memcache.Shard, key string) {
	if p, k, ok := packed(sh, key); ok {
		delete(p, k)
	}
	sh.Delete(key)
}

// init readies m on first use: the shards and, unless m is closed, the
// sweeper.
func (m *Memory) init() { memcache.Init(&m.mem, m) }

// shard returns the shard holding key; its mutex guards the key.
func (m *Memory) shard(key string) *memcache.Shard {
	m.init()
	return m.mem.Shard(key)
}

// Close stops the goroutine that reclaims expired records, and returns once
// it has exited. It always returns nil, and may be called any number of
// times, concurrently with the other methods.
//
// The store stays usable after Close and answers as before: expiry is
// checked on every read, so an expired record is never found. But nothing
// reclaims expired records any more; they stay in memory until their key is
// saved again or deleted. Close a store when done with it.
func (m *Memory) Close() error {
	m.mem.Close()
	return nil
}

// Save implements CodeStore.
func (m *Memory) Save(_ context.Context, key string, r Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	head := memoryRecord{
		expires: m.now().Add(r.TTL).UnixNano(),
		max:     int32(min(r.MaxAttempts, 1<<30)),
	}
	usual := len(r.Digest) == len(head.digest) && r.Sealed == nil
	var rec any
	if usual {
		copy(head.digest[:], r.Digest)
		rec = &head
	} else {
		rec = &rareRecord{
			memoryRecord: head,
			anyDigest:    bytes.Clone(r.Digest),
			sealed:       bytes.Clone(r.Sealed), // nil stays nil
		}
	}
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	remove(sh, key) // a record it replaces may be held in the other place
	if p, k, ok := packed(sh, key); ok && usual {
		p[k] = &head
		return nil
	}
	sh.Set(key, rec, r.TTL)
	return nil
}

// Peek implements Peeker.
func (m *Memory) Peek(_ context.Context, key string) ([]byte, time.Duration, error) {
	now := m.now().UnixNano()
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	rec, rare := lookup(sh, key)
	if rec == nil || now >= rec.expires || rare == nil || rare.sealed == nil {
		return nil, 0, nil
	}
	return bytes.Clone(rare.sealed), time.Duration(rec.expires - now), nil
}

// dummyDigest is compared against when no record exists, so that a miss
// costs the same comparison as a hit.
var dummyDigest = make([]byte, 32)

// Consume implements CodeStore.
func (m *Memory) Consume(_ context.Context, key string, digest []byte) (Result, error) {
	now := m.now().UnixNano()
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	rec, rare := lookup(sh, key)
	if rec == nil || now >= rec.expires {
		subtle.ConstantTimeCompare(dummyDigest, digest)
		return NotFound, nil
	}
	want := rec.digest[:]
	if rare != nil {
		want = rare.anyDigest
	}
	if subtle.ConstantTimeCompare(want, digest) == 1 {
		remove(sh, key)
		return Match, nil
	}
	rec.attempts++
	if rec.attempts >= rec.max {
		remove(sh, key)
		return Exhausted, nil
	}
	return Mismatch, nil
}

// Delete implements CodeStore.
func (m *Memory) Delete(_ context.Context, key string) error {
	sh := m.shard(key)
	sh.Lock()
	remove(sh, key)
	sh.Unlock()
	return nil
}

// Len returns the number of records held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int {
	m.init()
	return m.mem.Len()
}
