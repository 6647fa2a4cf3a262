// Package prommetrics exports vcode's events as Prometheus metrics. It is
// the one package built on github.com/prometheus/client_golang; the core
// packages do not import it, so hosts without Prometheus do not pull it in.
//
// Metrics:
//
//	vcode_events_total{op, outcome, channel, purpose}  every Send and Verify, by outcome
//	vcode_codes_sent_total{channel, region}         codes delivered, by region: watch it for SMS pumping
//	vcode_pumping_blocked_total{channel, region}    sends the pumping guard refused, by region
//	vcode_operation_duration_seconds{op}            Send and Verify latency
//	vcode_lapses_total{op, lapse}                   best-effort writes that failed (observe.Lapse)
//	vcode_http_requests_total{route, route_name, purpose, status, code}  every request to the two routes
//	vcode_http_request_duration_seconds{route, route_name, purpose}      request latency
//	vcode_backend_ready                             1 while the store and limiter answer, else 0 (RegisterReadiness)
//
// Labels never carry a contact or a code; region is an ISO code, at most a
// couple of hundred values. route is "send" or "verify"; route_name the
// Handler's name (httpmw.WithRoute), a host's constant, empty when none.
// purpose is the Request's purpose when it is one of those given to
// WithPurposes, empty for none, and "other" for any other value: a caller
// of the Go API may put anything in Request.Purpose, and a label of every
// value would grow without bound.
package prommetrics

import (
	"context"
	"errors"
	"fmt"
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
	latencyChild children[routeLabels, prometheus.Observer]

	purposes map[string]bool // WithPurposes
}

type eventLabels struct{ op, outcome, channel, purpose string }

type routeLabels struct{ route, name, purpose string }

type requestLabels struct {
	routeLabels
	status int
	code   string
}

// OtherPurpose is the purpose label of a purpose WithPurposes did not
// declare.
const OtherPurpose = "other"

// Option configures Metrics. An option only records its value: New checks
// them all and reports every problem at once.
type Option func(*options)

type options struct {
	purposes []string
}

// WithPurposes declares the purposes the host uses (httpmw.WithPurpose,
// verifier.Request.Purpose): each is its own purpose label value, and any
// other non-empty purpose counts as "other" (OtherPurpose). Without it
// every non-empty purpose is "other". Given more than once, the purposes
// add up. New refuses an empty purpose, "other", and more than 64
// purposes.
func WithPurposes(purposes ...string) Option {
	return func(o *options) { o.purposes = append(o.purposes, purposes...) }
}

// maxPurposes bounds WithPurposes: a label's values should be few.
const maxPurposes = 64

func (o *options) check() error {
	var errs []error
	for _, p := range o.purposes {
		switch p {
		case "":
			errs = append(errs, errors.New("prommetrics: WithPurposes: an empty purpose (requests without one are labelled \"\" already)"))
		case OtherPurpose:
			errs = append(errs, errors.New("prommetrics: WithPurposes: \"other\" is the label of undeclared purposes"))
		}
	}
	if len(o.purposes) > maxPurposes {
		errs = append(errs, fmt.Errorf("prommetrics: WithPurposes: %d purposes, more than %d", len(o.purposes), maxPurposes))
	}
	return errors.Join(errs...)
}

// purpose is the label of p.
func (m *Metrics) purpose(p string) string {
	if p == "" || m.purposes[p] {
		return p
	}
	return OtherPurpose
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
func New(reg prometheus.Registerer, opts ...Option) (*Metrics, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vcode_events_total", Help: "Send and Verify calls by outcome.",
		}, []string{"op", "outcome", "channel", "purpose"}),
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
		}, []string{"route", "route_name", "purpose", "status", "code"}),
		reqLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vcode_http_request_duration_seconds", Help: "Request latency on the send and verify routes.", Buckets: buckets,
		}, []string{"route", "route_name", "purpose"}),
		purposes: map[string]bool{},
	}
	for _, p := range o.purposes {
		m.purposes[p] = true
	}
	m.eventChild.mk = func(k eventLabels) prometheus.Counter {
		return m.events.WithLabelValues(k.op, k.outcome, k.channel, k.purpose)
	}
	m.opChild.mk = func(op string) prometheus.Observer { return m.opDuration.WithLabelValues(op) }
	m.requestChild.mk = func(k requestLabels) prometheus.Counter {
		return m.requests.WithLabelValues(k.route, k.name, k.purpose, strconv.Itoa(k.status), k.code)
	}
	m.latencyChild.mk = func(k routeLabels) prometheus.Observer {
		return m.reqLatency.WithLabelValues(k.route, k.name, k.purpose)
	}
	for _, c := range []prometheus.Collector{m.events, m.sent, m.blocked, m.opDuration, m.lapses, m.requests, m.reqLatency} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe implements observe.Observer.
func (m *Metrics) Observe(_ context.Context, e observe.Event) {
	m.eventChild.get(eventLabels{e.Op, string(e.Outcome), string(e.Channel), m.purpose(e.Purpose)}).Inc()
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
	rl := routeLabels{e.Route, e.RouteName, m.purpose(e.Purpose)}
	m.requestChild.get(requestLabels{rl, e.Status, e.ErrorCode}).Inc()
	m.latencyChild.get(rl).Observe(e.Latency.Seconds())
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
