package limiter_test

import (
	"context"
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
