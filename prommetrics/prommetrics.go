// Package prommetrics exports vcode's events as Prometheus metrics. It is
// the one package built on github.com/prometheus/client_golang; the core
// packages do not import it, so hosts without Prometheus do not pull it in.
//
// Metrics:
//
//	vcode_events_total{op, outcome, channel}        every Send and Verify, by outcome
//	vcode_codes_sent_total{channel, region}         codes delivered, by region: watch it for SMS pumping
//	vcode_pumping_blocked_total{channel, region}    sends the pumping guard refused, by region
//	vcode_operation_duration_seconds{op}            Send and Verify latency
//	vcode_lapses_total{op, lapse}                   best-effort writes that failed (observe.Lapse)
//	vcode_http_requests_total{route, status, code}  every request to the two routes
//	vcode_http_request_duration_seconds{route}      request latency
//	vcode_backend_ready                             1 while the store and limiter answer, else 0 (RegisterReadiness)
//
// Labels never carry a contact or a code; region is an ISO code, at most a
// couple of hundred values.
package prommetrics

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/observe"
)

// Metrics is both a observe.Observer and an httpmw.RequestObserver.
type Metrics struct {
	events     *prometheus.CounterVec
	sent       *prometheus.CounterVec
	blocked    *prometheus.CounterVec
	opDuration *prometheus.HistogramVec
	lapses     *prometheus.CounterVec
	requests   *prometheus.CounterVec
	reqLatency *prometheus.HistogramVec

	// The children of the per-call series, found once per label set: a
	// vec's lookup hashes and checks every label value on each call, and
	// a request's status label would be formatted each time. The label
	// sets are few (routes, statuses, codes, outcomes), and nothing
	// deletes a child, so a kept one is the vec's own.
	eventChild   children[eventLabels, prometheus.Counter]
	opChild      children[string, prometheus.Observer]
	requestChild children[requestLabels, prometheus.Counter]
	latencyChild children[string, prometheus.Observer]
}

type eventLabels struct{ op, outcome, channel string }

type requestLabels struct {
	route  string
	status int
	code   string
}

// children caches a vec's children by their labels; mk makes one.
type children[K comparable, V any] struct {
	mk func(K) V
	mu sync.RWMutex
	m  map[K]V
}

// get returns the child for k, made on first use.
func (c *children[K, V]) get(k K) V {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.m[k]; ok {
		return v
	}
	if c.m == nil {
		c.m = map[K]V{}
	}
	v = c.mk(k)
	c.m[k] = v
	return v
}

var (
	_ observe.Observer       = (*Metrics)(nil)
	_ httpmw.RequestObserver = (*Metrics)(nil)
)

// New creates the metrics and registers them with reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_events_total", Help: "Send and Verify calls by outcome.",
		}, []string{"op", "outcome", "channel"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_codes_sent_total", Help: "Codes delivered, by channel and region.",
		}, []string{"channel", "region"}),
		blocked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_pumping_blocked_total", Help: "Sends the SMS pumping guard refused, by channel and region.",
		}, []string{"channel", "region"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vcode_operation_duration_seconds", Help: "Send and Verify latency.", Buckets: buckets,
		}, []string{"op"}),
		lapses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_lapses_total", Help: "Best-effort writes of Send and Verify that failed: limits not given back, undelivered codes not withdrawn, verifies not counted for the pumping guard.",
		}, []string{"op", "lapse"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_http_requests_total", Help: "Requests to the send and verify routes.",
		}, []string{"route", "status", "code"}),
		reqLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vcode_http_request_duration_seconds", Help: "Request latency on the send and verify routes.", Buckets: buckets,
		}, []string{"route"}),
	}
	m.eventChild.mk = func(k eventLabels) prometheus.Counter { return m.events.WithLabelValues(k.op, k.outcome, k.channel) }
	m.opChild.mk = func(op string) prometheus.Observer { return m.opDuration.WithLabelValues(op) }
	m.requestChild.mk = func(k requestLabels) prometheus.Counter {
		return m.requests.WithLabelValues(k.route, strconv.Itoa(k.status), k.code)
	}
	m.latencyChild.mk = func(route string) prometheus.Observer { return m.reqLatency.WithLabelValues(route) }
	for _, c := range []prometheus.Collector{m.events, m.sent, m.blocked, m.opDuration, m.lapses, m.requests, m.reqLatency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe implements observe.Observer.
func (m *Metrics) Observe(_ context.Context, e observe.Event) {
	m.eventChild.get(eventLabels{e.Op, string(e.Outcome), string(e.Channel)}).Inc()
	switch e.Outcome {
	case observe.OutcomeSent:
		m.sent.WithLabelValues(string(e.Channel), e.Region).Inc()
	case observe.OutcomePumpingBlocked:
		m.blocked.WithLabelValues(string(e.Channel), e.Region).Inc()
	}
	m.opChild.get(e.Op).Observe(e.Latency.Seconds())
	for _, l := range e.Lapses {
		m.lapses.WithLabelValues(e.Op, string(l)).Inc()
	}
}

// ObserveRequest implements httpmw.RequestObserver.
func (m *Metrics) ObserveRequest(_ context.Context, e httpmw.RequestEvent) {
	m.requestChild.get(requestLabels{e.Route, e.Status, e.ErrorCode}).Inc()
	m.latencyChild.get(e.Route).Observe(e.Latency.Seconds())
}

// ReadyTimeout bounds each readiness check of RegisterReadiness, as
// cmd/vcoded's GET /readyz does.
const ReadyTimeout = 2 * time.Second

// RegisterReadiness registers vcode_backend_ready with reg: a gauge that is
// 1 when ready returns nil and 0 when it returns an error. It is asked at
// every scrape, so a scrape costs one check, with a context whose deadline
// is ReadyTimeout away. Pass Verifier.Ready: it pings Redis, within that
// deadline, when the store or limiter is Redis (in-memory backends are
// always ready).
func RegisterReadiness(reg prometheus.Registerer, ready func(context.Context) error) error {
	return reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vcode_backend_ready",
		Help: "1 when the store and the limiter answer (verifier.Ready), 0 otherwise; checked at each scrape.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
		defer cancel()
		if ready(ctx) != nil {
			return 0
		}
		return 1
	}))
}
