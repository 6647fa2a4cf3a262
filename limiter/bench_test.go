package limiter_test

import (
	"context"
	"strconv"
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
