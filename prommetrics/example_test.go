package prommetrics_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/prommetrics"
	"github.com/vcodekit/vcode/verifier"
)

func Example() {
	reg := prometheus.NewRegistry()
	metrics, err := prommetrics.New(reg)
	if err != nil {
		panic(err)
	}
	v, _ := verifier.New(notify.Discard, verifier.WithObserver(metrics))
	auth, _ := httpmw.NewStaticTokens(map[string]string{"token": "app"})
	h, _ := httpmw.New(v, auth, httpmw.WithRequestObserver(metrics))
	_ = h // serve h; serve promhttp.HandlerFor(reg, promhttp.HandlerOpts{}) on a metrics listener

	v.Send(context.Background(), verifier.Request{Contact: "+8613612345678", Subject: "app"})
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == "vcode_codes_sent_total" {
			m := f.GetMetric()[0]
			fmt.Println(f.GetName(), m.GetLabel()[0].GetValue(), m.GetLabel()[1].GetValue(), m.GetCounter().GetValue())
		}
	}
	// Output: vcode_codes_sent_total sms CN 1
}

// Metrics per flow: the purposes the host declares are labels of their
// own; any other (a Go API caller's typo, or worse) counts as "other".
func ExampleWithPurposes() {
	reg := prometheus.NewRegistry()
	metrics, err := prommetrics.New(reg, prommetrics.WithPurposes("signup", "change-email"))
	if err != nil {
		panic(err)
	}
	v, _ := verifier.New(notify.Discard, verifier.WithObserver(metrics))
	defer v.Close()
	ctx := context.Background()
	v.Send(ctx, verifier.Request{Contact: "+8613612345678", Subject: "u1", Purpose: "signup"})
	v.Send(ctx, verifier.Request{Contact: "a@example.com", Subject: "u1", Purpose: "change-email"})
	v.Send(ctx, verifier.Request{Contact: "b@example.com", Subject: "u1", Purpose: "made-up"})
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() != "vcode_events_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			fmt.Println(labels["purpose"], labels["outcome"], m.GetCounter().GetValue())
		}
	}
	// Output:
	// change-email sent 1
	// other sent 1
	// signup sent 1
}
