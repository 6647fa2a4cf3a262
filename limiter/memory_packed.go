package limiter

import (
	"encoding/binary"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

// A key with one event in its window, the usual case (a contact's
// cooldown and hourly cap, a subject's share of it, its deliveries: one
// send each), is kept packed beside its shard's go-cache, under the same
// mutex and swept with it (see memcache's Packed): a fixed-size key and
// the event's time in a map slot of 27 bytes, with no key string, no
// cache.Item and no boxed value. The verifier's keys are a short name and
// a 16-byte HMAC: the key's last (up to) 16 bytes are kept whole, and what
// comes before them, the head, as an index into a short per-shard list of
// the heads seen, as the event's longest window is an index into a list
// of the windows seen. Both lists are bounded; a key whose head or window
// finds no room, a head longer than maxHead bytes, and every key with
// more than one event in its window, are go-cache items as before. A key
// is in one place at a time.

// Bounds of a shard's lists of heads and windows, and of a head.
const (
	maxHeads   = 32
	maxWindows = 32
	maxHead    = 32
	tailLen    = 16
)

// packedKey is a key in its packed form: its head's index in
// packedKeys.heads and its tail, the last min(len, 16) bytes, n of them.
type packedKey struct {
	head uint8
	n    uint8
	tail [tailLen]byte
}

// packedEvent is a key's one event: its time, unix nanoseconds by the
// limiter's clock, little-endian, and the index of the key's longest
// window in packedKeys.windows. Bytes, so that a map slot has no padding.
type packedEvent [9]byte

func (e packedEvent) time() int64 { return int64(binary.LittleEndian.Uint64(e[:8])) }

// packedKeys is a shard's packed keys (see above). It is a memcache.Packed.
type packedKeys struct {
	events  map[packedKey]packedEvent
	heads   []string
	windows []time.Duration
}

func newPackedKeys() memcache.Packed {
	return &packedKeys{events: map[packedKey]packedEvent{}}
}

// packedOf returns sh's packed keys; nil, which holds none and takes
// none, when the shard has none. The mutex must be held.
func packedOf(sh *memcache.Shard) *packedKeys {
	p, _ := sh.Packed().(*packedKeys)
	return p
}

// split returns key's head and tail.
func split(key string) (head, tail string) {
	n := max(len(key)-tailLen, 0)
	return key[:n], key[n:]
}

// find returns key's packed form, if its head is in the list.
func (p *packedKeys) find(key string) (packedKey, bool) {
	if p == nil {
		return packedKey{}, false
	}
	head, tail := split(key)
	for i, h := range p.heads {
		if h == head {
			k := packedKey{head: uint8(i), n: uint8(len(tail))}
			copy(k.tail[:], tail)
			return k, true
		}
	}
	return packedKey{}, false
}

// intern returns key's packed form, adding its head to the list if there
// is room.
func (p *packedKeys) intern(key string) (packedKey, bool) {
	if k, ok := p.find(key); ok {
		return k, true
	}
	head, _ := split(key)
	if len(head) > maxHead || len(p.heads) == maxHeads {
		return packedKey{}, false
	}
	p.heads = append(p.heads, head)
	return p.find(key)
}

// window returns w's index in the list, adding it if there is room.
func (p *packedKeys) window(w time.Duration) (uint8, bool) {
	for i, x := range p.windows {
		if x == w {
			return uint8(i), true
		}
	}
	if len(p.windows) == maxWindows {
		return 0, false
	}
	p.windows = append(p.windows, w)
	return uint8(len(p.windows) - 1), true
}

// get returns key's packed event time.
func (p *packedKeys) get(key string) (int64, bool) {
	k, ok := p.find(key)
	if !ok {
		return 0, false
	}
	e, ok := p.events[k]
	return e.time(), ok
}

// put keeps t as key's one event, whose longest window is w, and reports
// whether there was room to.
func (p *packedKeys) put(key string, t int64, w time.Duration) bool {
	if p == nil {
		return false
	}
	wi, ok := p.window(w)
	if !ok {
		return false
	}
	k, ok := p.intern(key)
	if !ok {
		return false
	}
	var e packedEvent
	binary.LittleEndian.PutUint64(e[:8], uint64(t))
	e[8] = wi
	p.events[k] = e
	return true
}

// remove forgets key's packed event.
func (p *packedKeys) remove(key string) {
	if k, ok := p.find(key); ok {
		delete(p.events, k)
	}
}

// Sweep implements memcache.Packed: an event is forgotten once its
// longest window has passed, as go-cache's expiry of an item set with
// that window, "now > Expiration".
func (p *packedKeys) Sweep(now int64) {
	for k, e := range p.events {
		if now > e.time()+int64(p.windows[e[8]]) {
			delete(p.events, k)
		}
	}
}

// Len implements memcache.Packed.
func (p *packedKeys) Len() int { return len(p.events) }
