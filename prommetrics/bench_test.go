package prommetrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/prommetrics"
)

// BenchmarkObserveRefusal is what cmd/vcoded's metrics cost a request on
// the attack path: the verifier's event and the HTTP request's, a 429.
func BenchmarkObserveRefusal(b *testing.B) {
	m, err := prommetrics.New(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ev := observe.Event{Op: "verify", Outcome: observe.OutcomeRateLimited, Channel: delivery.SMS, Region: "CN", Latency: 3 * time.Microsecond}
	req := httpmw.RequestEvent{Route: "verify", Status: 429, ErrorCode: httpmw.CodeTooManyAttempts, Latency: 9 * time.Microsecond}
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(ctx, ev)
		m.ObserveRequest(ctx, req)
	}
}
