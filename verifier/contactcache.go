package verifier

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/vcodekit/vcode/contact"
)

// DefaultContactCache is how many parsed contacts a Verifier remembers.
const DefaultContactCache = 100_000

// contactCache remembers parsed contacts, because parsing a phone number is
// by far the largest cost of a request (phonenumbers takes some 16 µs).
//
// It is bounded (a fixed number of entries, evicting an arbitrary one of the
// same shard when full) and admits a contact only when a code was sent to it:
// the verify path, where an attacker can try any number of contacts, only
// reads. An attacker can therefore add entries no faster than the send
// quotas allow, and an evicted contact is merely parsed again. A cached
// entry is exactly what Parse returned for the same raw input and country.
type contactCache struct {
	seed     maphash.Seed
	perShard int
	shards   [cacheShards]cacheShard
}

const cacheShards = 64

type cacheShard struct {
	mu sync.RWMutex
	m  map[cacheKey]cached
}

// cached is a parsed contact and its verify-limit key, an HMAC that would
// otherwise be computed on every attempt.
type cached struct {
	contact   contact.Contact
	verifyKey string
}

type cacheKey struct{ raw, country string }

func newContactCache(size int) *contactCache {
	if size <= 0 {
		return nil
	}
	c := &contactCache{seed: maphash.MakeSeed(), perShard: max(size/cacheShards, 1)}
	for i := range c.shards {
		c.shards[i].m = make(map[cacheKey]cached)
	}
	return c
}

func (c *contactCache) shard(raw string) *cacheShard {
	return &c.shards[maphash.String(c.seed, raw)%cacheShards]
}

// parse returns the cached contact for raw and country, with its verify
// key, or parses it (and the key is empty).
func (c *contactCache) parse(raw, country string) (contact.Contact, string, error) {
	if c != nil {
		s := c.shard(raw)
		s.mu.RLock()
		e, ok := s.m[cacheKey{raw, country}]
		s.mu.RUnlock()
		if ok {
			return e.contact, e.verifyKey, nil
		}
	}
	ct, err := contact.Parse(raw, country)
	return ct, "", err
}

// admit remembers a contact that a code was sent to, with its verify key.
func (c *contactCache) admit(raw, country string, ct contact.Contact, verifyKey string) {
	if c == nil {
		return
	}
	k := cacheKey{strings.Clone(raw), strings.Clone(country)}
	s := c.shard(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[k]; ok {
		return
	}
	if len(s.m) >= c.perShard {
		for old := range s.m { // map order is random: an arbitrary victim
			delete(s.m, old)
			break
		}
	}
	s.m[k] = cached{ct, verifyKey}
}
