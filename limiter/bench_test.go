package limiter_test

import (
	"context"
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
)

func BenchmarkMemoryAllow(b *testing.B) {
	ctx := context.Background()
	l := limiter.NewMemory()
	defer l.Close()
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = "verify:" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(ctx, keys[i%len(keys)], limiter.Rule{Limit: 5, Window: time.Minute})
		i++
	}
}

// BenchmarkMemoryAllowParallel: every core at once, on unrelated keys.
func BenchmarkMemoryAllowParallel(b *testing.B) {
	ctx := context.Background()
	l := limiter.NewMemory()
	defer l.Close()
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = "verify:" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	var next atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(7919))
		for pb.Next() {
			l.Allow(ctx, keys[i%len(keys)], limiter.Rule{Limit: 5, Window: time.Minute})
			i++
		}
	})
}

// BenchmarkMemoryAllowVerifierKeys: keys shaped as the verifier's (a name
// and a 16-byte HMAC), under a cooldown and an hourly cap, each call a key
// of 100,000 in turn: the first pass allows one event a key (packed),
// later ones are refused by the cooldown.
func BenchmarkMemoryAllowVerifierKeys(b *testing.B) {
	ctx := context.Background()
	l := limiter.NewMemory()
	defer l.Close()
	keys := make([]string, 100_000)
	for i := range keys {
		var tail [16]byte
		binary.LittleEndian.PutUint64(tail[:], uint64(i)*0x9E3779B97F4A7C15)
		keys[i] = "send:" + string(tail[:])
	}
	rules := []limiter.Rule{{Limit: 10, Window: time.Hour}, {Limit: 1, Window: time.Minute}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(ctx, keys[i%len(keys)], rules...)
		i++
	}
}
