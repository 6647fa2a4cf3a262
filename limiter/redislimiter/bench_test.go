package redislimiter_test

import (
	"context"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/redislimiter"
)

// BenchmarkThreeKeys compares three keys taken with Allow in turn (three
// round trips) and with one AllowAll (one), on VCODE_TEST_REDIS or
// miniredis. The limits are out of reach: every call records its events.
func BenchmarkThreeKeys(b *testing.B) {
	l := redistest.Must(redislimiter.New(redistest.Client(b), redistest.Prefix(b)))(b)
	ctx := context.Background()
	reqs := []limiter.Request{
		{Key: "subject", Rules: []limiter.Rule{{Limit: 1 << 30, Window: time.Microsecond}}},
		{Key: "ip", Rules: []limiter.Rule{{Limit: 1 << 30, Window: time.Microsecond}}},
		{Key: "contact", Rules: []limiter.Rule{{Limit: 1 << 30, Window: time.Microsecond}, {Limit: 1 << 29, Window: time.Microsecond}}},
	}
	b.Run("Allow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range reqs {
				if d, err := l.Allow(ctx, r.Key, r.Rules...); err != nil || !d.Allowed {
					b.Fatal(d, err)
				}
			}
		}
	})
	b.Run("AllowAll", func(b *testing.B) {
		b.ReportAllocs()
		ds := make([]limiter.Decision, len(reqs))
		for b.Loop() {
			if refused, err := l.AllowAll(ctx, reqs, ds); err != nil || refused != -1 {
				b.Fatal(refused, err)
			}
		}
	})
}
