package prommetrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/prommetrics"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m.Observe(ctx, observe.Event{Op: "send", Outcome: observe.OutcomeSent, Channel: delivery.SMS, Region: "CN", Latency: 2 * time.Millisecond})
	m.Observe(ctx, observe.Event{Op: "send", Outcome: observe.OutcomePumpingBlocked, Channel: delivery.SMS, Region: "PG", Latency: time.Millisecond})
	m.Observe(ctx, observe.Event{Op: "verify", Outcome: observe.OutcomeWrongCode, Channel: delivery.SMS, Region: "CN", Latency: time.Millisecond})
	m.Observe(ctx, observe.Event{Op: "send", Outcome: observe.OutcomeDeliveryFailed, Channel: delivery.SMS, Region: "CN",
		Lapses: []observe.Lapse{observe.LapseWithdraw, observe.LapseRelease}})
	m.ObserveRequest(ctx, httpmw.RequestEvent{Route: "verify", Status: 400, ErrorCode: "USG.201060005", Latency: time.Millisecond})

	want := `
# HELP vcode_codes_sent_total Codes delivered, by channel and region.
# TYPE vcode_codes_sent_total counter
vcode_codes_sent_total{channel="sms",region="CN"} 1
# HELP vcode_events_total Send and Verify calls by outcome.
# TYPE vcode_events_total counter
vcode_events_total{channel="sms",op="send",outcome="delivery_failed",purpose=""} 1
vcode_events_total{channel="sms",op="send",outcome="pumping_blocked",purpose=""} 1
vcode_events_total{channel="sms",op="send",outcome="sent",purpose=""} 1
vcode_events_total{channel="sms",op="verify",outcome="wrong_code",purpose=""} 1
# HELP vcode_lapses_total Best-effort writes of Send and Verify that failed: limits not given back, undelivered codes not withdrawn, verifies not counted for the pumping guard.
# TYPE vcode_lapses_total counter
vcode_lapses_total{lapse="release",op="send"} 1
vcode_lapses_total{lapse="withdraw",op="send"} 1
# HELP vcode_pumping_blocked_total Sends the SMS pumping guard refused, by channel and region.
# TYPE vcode_pumping_blocked_total counter
vcode_pumping_blocked_total{channel="sms",region="PG"} 1
# HELP vcode_http_requests_total Requests to the send and verify routes.
# TYPE vcode_http_requests_total counter
vcode_http_requests_total{code="USG.201060005",purpose="",route="verify",route_name="",status="400"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"vcode_codes_sent_total", "vcode_events_total", "vcode_lapses_total", "vcode_pumping_blocked_total", "vcode_http_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "vcode_operation_duration_seconds", "vcode_http_request_duration_seconds"); n != 3 {
		t.Fatalf("%d latency series, want 3 (send and verify, one route)", n)
	}
	// Registering twice is an error, not a panic.
	if _, err := prommetrics.New(reg); err == nil {
		t.Fatal("registered twice")
	}
}

// TestReadiness: vcode_backend_ready follows what the check answers at each
// scrape, and the check is given a deadline.
func TestReadiness(t *testing.T) {
	reg := prometheus.NewRegistry()
	var answer error
	var deadline time.Duration
	err := prommetrics.RegisterReadiness(reg, func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			t.Error("the check has no deadline")
		}
		deadline = time.Until(d)
		return answer
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		answer error
		want   string
	}{
		{nil, "1"},
		{errors.New("redis: connection refused"), "0"},
		{nil, "1"},
	} {
		answer = tt.answer
		want := "# HELP vcode_backend_ready 1 when the store and the limiter answer (verifier.Ready), 0 otherwise; checked at each scrape.\n" +
			"# TYPE vcode_backend_ready gauge\nvcode_backend_ready " + tt.want + "\n"
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vcode_backend_ready"); err != nil {
			t.Errorf("check answering %v: %v", tt.answer, err)
		}
		if deadline <= 0 || deadline > prommetrics.ReadyTimeout {
			t.Errorf("the check's deadline is %v away, want at most %v", deadline, prommetrics.ReadyTimeout)
		}
	}
	if err := prommetrics.RegisterReadiness(reg, func(context.Context) error { return nil }); err == nil {
		t.Fatal("registered twice")
	}
}

// TestPurposes: the purpose label is a declared purpose, empty for none,
// and "other" for any other value, on the events and the requests alike;
// route_name is the Handler's name. Bad declarations are refused at once.
func TestPurposes(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := prommetrics.New(reg, prommetrics.WithPurposes("signup"), prommetrics.WithPurposes("change-email"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []string{"signup", "change-email", "", "signup", "attacker-1", "attacker-2"} {
		m.Observe(ctx, observe.Event{Op: "send", Outcome: observe.OutcomeSent, Channel: delivery.Email, Purpose: p})
	}
	m.ObserveRequest(ctx, httpmw.RequestEvent{Route: "send", RouteName: "signup", Purpose: "signup", Status: 200})
	m.ObserveRequest(ctx, httpmw.RequestEvent{Route: "send", RouteName: "legacy", Purpose: "undeclared", Status: 200})
	want := `
# HELP vcode_events_total Send and Verify calls by outcome.
# TYPE vcode_events_total counter
vcode_events_total{channel="email",op="send",outcome="sent",purpose=""} 1
vcode_events_total{channel="email",op="send",outcome="sent",purpose="change-email"} 1
vcode_events_total{channel="email",op="send",outcome="sent",purpose="other"} 2
vcode_events_total{channel="email",op="send",outcome="sent",purpose="signup"} 2
# HELP vcode_http_requests_total Requests to the send and verify routes.
# TYPE vcode_http_requests_total counter
vcode_http_requests_total{code="",purpose="other",route="send",route_name="legacy",status="200"} 1
vcode_http_requests_total{code="",purpose="signup",route="send",route_name="signup",status="200"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "vcode_events_total", "vcode_http_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "vcode_http_request_duration_seconds"); n != 2 {
		t.Errorf("%d latency series, want 2 (one per route name)", n)
	}

	many := make([]string, 65)
	for i := range many {
		many[i] = "p" + strings.Repeat("x", i)
	}
	_, err = prommetrics.New(prometheus.NewRegistry(), prommetrics.WithPurposes("", "other"), prommetrics.WithPurposes(many...))
	for _, want := range []string{"an empty purpose", `"other" is the label`, "67 purposes, more than 64"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New with bad purposes: %v, want it to say %q", err, want)
		}
	}
}
