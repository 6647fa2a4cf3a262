package prommetrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/prommetrics"
	"github.com/vcodekit/vcode/verifier"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m.Observe(ctx, verifier.Event{Op: "send", Outcome: verifier.OutcomeSent, Channel: delivery.SMS, Region: "CN", Latency: 2 * time.Millisecond})
	m.Observe(ctx, verifier.Event{Op: "verify", Outcome: verifier.OutcomeWrongCode, Channel: delivery.SMS, Region: "CN", Latency: time.Millisecond})
	m.ObserveRequest(ctx, httpmw.RequestEvent{Route: "verify", Status: 400, ErrorCode: "USG.201060005", Latency: time.Millisecond})

	want := `
# HELP vcode_codes_sent_total Codes delivered, by channel and region.
# TYPE vcode_codes_sent_total counter
vcode_codes_sent_total{channel="sms",region="CN"} 1
# HELP vcode_events_total Send and Verify calls by outcome.
# TYPE vcode_events_total counter
vcode_events_total{channel="sms",op="send",outcome="sent"} 1
vcode_events_total{channel="sms",op="verify",outcome="wrong_code"} 1
# HELP vcode_http_requests_total Requests to the send and verify routes.
# TYPE vcode_http_requests_total counter
vcode_http_requests_total{code="USG.201060005",route="verify",status="400"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"vcode_codes_sent_total", "vcode_events_total", "vcode_http_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "vcode_operation_duration_seconds", "vcode_http_request_duration_seconds"); n != 3 {
		t.Fatalf("%d latency series, want 3", n)
	}
	// Registering twice is an error, not a panic.
	if _, err := prommetrics.New(reg); err == nil {
		t.Fatal("registered twice")
	}
}
