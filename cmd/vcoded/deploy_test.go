package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// deployDir holds the operations assets: Prometheus rules and their unit
// tests, and the Grafana dashboard.
const deployDir = "../../deploy"

// exported maps each series name a scrape of vcoded can hold to the label
// names its samples carry.
type exported map[string][]string

// scrapeExported starts vcoded with its metrics listener, makes it report
// every outcome the assets name (a code sent, a wrong code, a send the
// pumping guard refuses), and reads /metrics: each family's series names
// (a histogram's _bucket, _sum and _count) with their labels.
func scrapeExported(t *testing.T) exported {
	t.Helper()
	metricsAddr := freeAddr(t)
	s := start(t, []string{"-tokens", "tok", "-metrics-addr", metricsAddr, "-guard-block", "+86137"}, nil)
	sendURL := s.url + "/v1/usg/dcs/member/verification-code"
	for contact, want := range map[string]int{"+8613612345678": 200, "+8613712345678": 403} {
		if resp, body := post(t, sendURL, "tok", `{"contact":"`+contact+`"}`); resp.StatusCode != want {
			t.Fatalf("send to %s: %d %s, want %d", contact, resp.StatusCode, body, want)
		}
	}
	post(t, sendURL+"/verify", "tok", `{"contact":"+8613612345678","verificationCode":"000000"}`)
	status, body := get(t, "http://"+metricsAddr+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	out := exported{}
	for name, f := range families {
		labels := map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		names := []string{name}
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			names = []string{name + "_bucket", name + "_sum", name + "_count"}
		case dto.MetricType_SUMMARY:
			names = append(names, name+"_sum", name+"_count")
		}
		for _, n := range names {
			l := slices.Sorted(maps.Keys(labels))
			switch {
			case strings.HasSuffix(n, "_bucket"):
				l = append(l, "le")
			case f.GetType() == dto.MetricType_SUMMARY && n == name:
				l = append(l, "quantile")
			}
			out[n] = l
		}
	}
	return out
}

// targetLabels are the labels Prometheus adds to every scraped series.
var targetLabels = []string{"job", "instance"}

// checkExpr reports each metric of expr that vcoded does not export, and
// each label matched on that a series of it does not carry; recorded are
// the names recording rules define. An expression naming neither a vcode_
// metric nor a recorded one is reported too: it could not be checked.
func checkExpr(exp exported, recorded map[string]bool, where, expr string) []error {
	sels, err := selectorsOf(expr)
	if err != nil {
		return []error{fmt.Errorf("%s: %v", where, err)}
	}
	var errs []error
	vcode := false
	for _, sel := range sels {
		vcode = vcode || strings.HasPrefix(sel.name, "vcode_") || recorded[sel.name]
		if recorded[sel.name] {
			continue
		}
		labels, ok := exp[sel.name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: metric %s is not one vcoded exports", where, sel.name))
			continue
		}
		for _, l := range sel.labels {
			if !slices.Contains(labels, l) && !slices.Contains(targetLabels, l) {
				errs = append(errs, fmt.Errorf("%s: %s has no label %q (it has %v)", where, sel.name, l, labels))
			}
		}
	}
	if !vcode {
		errs = append(errs, fmt.Errorf("%s: %q names no vcode_ metric", where, expr))
	}
	return errs
}

// ruleFile is the part of a Prometheus rule file, or of a promtool test
// file, that names metrics.
type ruleFile struct {
	Groups []struct {
		Name  string
		Rules []struct {
			Alert, Record, Expr string
		}
	}
	Tests []struct {
		Name        string
		InputSeries []struct {
			Series string
		} `yaml:"input_series"`
		PromQLExprTests []struct {
			Expr string
		} `yaml:"promql_expr_test"`
	}
}

// checkRules checks rule files and their promtool tests: every rule's
// expression, and every test's input series and PromQL expressions, must
// name only what vcoded exports (or a rule records). A rule file that
// defines no rule, or a test file without series, is an error.
func checkRules(exp exported, files map[string][]byte) []error {
	recorded := map[string]bool{}
	parsed := map[string]ruleFile{}
	var errs []error
	for name, data := range files {
		var f ruleFile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		if err := dec.Decode(&f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", name, err))
			continue
		}
		parsed[name] = f
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recorded[r.Record] = true
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(parsed)) {
		f := parsed[name]
		n := 0
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				n++
				errs = append(errs, checkExpr(exp, recorded, fmt.Sprintf("%s: rule %s%s", name, r.Alert, r.Record), r.Expr)...)
			}
		}
		for _, tc := range f.Tests {
			for _, s := range tc.InputSeries {
				n++
				errs = append(errs, checkExpr(exp, recorded, fmt.Sprintf("%s: test %q: series", name, tc.Name), s.Series)...)
			}
			for _, e := range tc.PromQLExprTests {
				errs = append(errs, checkExpr(exp, recorded, fmt.Sprintf("%s: test %q: expression", name, tc.Name), e.Expr)...)
			}
		}
		if n == 0 {
			errs = append(errs, fmt.Errorf("%s: no rule and no test series: nothing to check", name))
		}
	}
	return errs
}

// dashboard is the part of a Grafana dashboard that names metrics.
type dashboard struct {
	Title  string
	Panels []struct {
		ID         int
		Type       string
		Title      string
		Datasource *struct{ Type, UID string }
		Targets    []struct {
			Expr  string
			RefID string `json:"refId"`
		}
	}
	Templating struct {
		List []struct {
			Name, Type string
			Query      json.RawMessage
		}
	}
}

// checkDashboard checks a Grafana dashboard: every panel but a row has a
// Prometheus data source and targets, every target an expression, panel
// ids are unique, and every expression, and every query variable's
// label_values(…) or query_result(…), names only what vcoded exports.
func checkDashboard(exp exported, name string, data []byte) []error {
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return []error{fmt.Errorf("%s: %v", name, err)}
	}
	var errs []error
	ids := map[int]bool{}
	targets := 0
	for _, p := range d.Panels {
		where := fmt.Sprintf("%s: panel %d %q", name, p.ID, p.Title)
		if ids[p.ID] {
			errs = append(errs, fmt.Errorf("%s: id used twice", where))
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.Type != "prometheus" {
			errs = append(errs, fmt.Errorf("%s: not on a Prometheus data source", where))
		}
		if len(p.Targets) == 0 {
			errs = append(errs, fmt.Errorf("%s: no target", where))
		}
		for _, tg := range p.Targets {
			targets++
			errs = append(errs, checkExpr(exp, nil, fmt.Sprintf("%s target %s", where, tg.RefID), tg.Expr)...)
		}
	}
	if targets == 0 {
		errs = append(errs, fmt.Errorf("%s: no panel with a target", name))
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q string
		if err := json.Unmarshal(v.Query, &q); err != nil {
			var obj struct{ Query string }
			if err := json.Unmarshal(v.Query, &obj); err != nil {
				errs = append(errs, fmt.Errorf("%s: variable %s: query is neither a string nor an object with one", name, v.Name))
				continue
			}
			q = obj.Query
		}
		where := fmt.Sprintf("%s: variable %s", name, v.Name)
		expr, err := variableExpr(q)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", where, err))
			continue
		}
		errs = append(errs, checkExpr(exp, nil, where, expr)...)
	}
	return errs
}

// variableExpr returns the PromQL inside a Grafana Prometheus variable
// query: label_values(EXPR, label) or query_result(EXPR).
func variableExpr(q string) (string, error) {
	q = strings.TrimSpace(q)
	for _, fn := range []string{"label_values(", "query_result("} {
		inner, ok := strings.CutPrefix(q, fn)
		if !ok || !strings.HasSuffix(inner, ")") {
			continue
		}
		inner = strings.TrimSuffix(inner, ")")
		if fn == "label_values(" {
			// The label is the last top-level argument.
			i := strings.LastIndexByte(inner, ',')
			if i < 0 || strings.ContainsAny(inner[i:], `}"')`) {
				return "", fmt.Errorf("%q: label_values without a metric cannot be checked", q)
			}
			inner = inner[:i]
		}
		return inner, nil
	}
	return "", fmt.Errorf("%q is not label_values(…) or query_result(…)", q)
}

// readAssets returns the files of deploy/prometheus (rules and tests) and
// deploy/grafana (dashboards).
func readAssets(t *testing.T) (rules, dashboards map[string][]byte) {
	t.Helper()
	read := func(pattern string) map[string][]byte {
		paths, err := filepath.Glob(filepath.Join(deployDir, pattern))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no %s in %s (%v)", pattern, deployDir, err)
		}
		out := map[string][]byte{}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.ToSlash(strings.TrimPrefix(p, deployDir+string(filepath.Separator)))] = b
		}
		return out
	}
	return read("prometheus/*.yml"), read("grafana/*.json")
}

// TestDeployAssetsNameExportedMetrics: every metric, and every label matched
// on, that the alert rules, their unit tests and the Grafana dashboard name
// is one a running vcoded serves on /metrics. A metric renamed in
// prommetrics, or a label dropped, fails here before an alert goes silent.
func TestDeployAssetsNameExportedMetrics(t *testing.T) {
	exp := scrapeExported(t)
	rules, dashboards := readAssets(t)
	errs := checkRules(exp, rules)
	for name, data := range dashboards {
		errs = append(errs, checkDashboard(exp, name, data)...)
	}
	for _, err := range errs {
		t.Error(err)
	}
	// The alerts the README and the dashboard speak of are all there.
	var alerts []string
	for _, data := range rules {
		var f ruleFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		for _, g := range f.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					alerts = append(alerts, r.Alert)
				}
			}
		}
	}
	slices.Sort(alerts)
	want := []string{"VcodeBackendNotReady", "VcodeDeliveryFailing", "VcodeDeliveryUnknown", "VcodePumpingGuardBlocking", "VcodeRegionSendsClimbing", "VcodeServerErrors"}
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts %v, want %v", alerts, want)
	}
}

// TestDeployCheckCatchesDrift: the check above does fail on a metric or a
// label vcoded does not export, in a rule, a test series, a dashboard
// target or a variable, so it cannot pass vacuously.
func TestDeployCheckCatchesDrift(t *testing.T) {
	exp := exported{
		"vcode_events_total":                      {"channel", "op", "outcome"},
		"vcode_operation_duration_seconds_bucket": {"le", "op"},
	}
	rule := func(expr string) map[string][]byte {
		return map[string][]byte{"r.yml": []byte("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: '" + expr + "'\n")}
	}
	for _, tt := range []struct {
		name string
		errs []error
		want string // in the first error
	}{
		{"good rule", checkRules(exp, rule(`sum by (job) (rate(vcode_events_total{outcome="sent"}[5m])) > 0`)), ""},
		{"renamed metric", checkRules(exp, rule(`rate(vcode_event_total[5m]) > 0`)), "vcode_event_total is not one vcoded exports"},
		{"renamed label", checkRules(exp, rule(`rate(vcode_events_total{result="sent"}[5m]) > 0`)), `no label "result"`},
		{"no vcode metric", checkRules(exp, rule(`vector(1)`)), "names no vcode_ metric"},
		{"unreadable", checkRules(exp, rule(`rate(vcode_events_total{op="send"[5m])`)), "unterminated"},
		{"no rules", checkRules(exp, map[string][]byte{"r.yml": []byte("groups: []\n")}), "nothing to check"},
		{"test series", checkRules(exp, map[string][]byte{"t.yml": []byte("tests:\n  - input_series:\n      - series: 'vcode_codes_sent_total{region=\"CN\"}'\n        values: '1'\n")}), "vcode_codes_sent_total is not"},
		{"recorded", checkRules(exp, map[string][]byte{"r.yml": []byte("groups:\n  - name: g\n    rules:\n      - record: vcode:sends:rate5m\n        expr: rate(vcode_events_total[5m])\n      - alert: A\n        expr: vcode:sends:rate5m > 1\n")}), ""},
		{"good dashboard", checkDashboard(exp, "d.json", []byte(`{"panels":[{"id":1,"type":"timeseries","title":"p","datasource":{"type":"prometheus","uid":"x"},"targets":[{"refId":"A","expr":"histogram_quantile(0.9, sum by (le) (rate(vcode_operation_duration_seconds_bucket[$__rate_interval])))"}]}],"templating":{"list":[{"name":"job","type":"query","query":{"query":"label_values(vcode_events_total, job)"}}]}}`)), ""},
		{"dashboard target", checkDashboard(exp, "d.json", []byte(`{"panels":[{"id":1,"type":"timeseries","title":"p","datasource":{"type":"prometheus","uid":"x"},"targets":[{"refId":"A","expr":"rate(vcode_operation_duration_seconds[5m])"}]}]}`)), "vcode_operation_duration_seconds is not"},
		{"dashboard variable", checkDashboard(exp, "d.json", []byte(`{"panels":[{"id":1,"type":"stat","title":"p","datasource":{"type":"prometheus","uid":"x"},"targets":[{"refId":"A","expr":"vcode_events_total"}]}],"templating":{"list":[{"name":"r","type":"query","query":"label_values(vcode_sent_total{job=\"a\"}, region)"}]}}`)), "vcode_sent_total is not"},
		{"panel without target", checkDashboard(exp, "d.json", []byte(`{"panels":[{"id":1,"type":"stat","title":"p","datasource":{"type":"prometheus","uid":"x"}}]}`)), "no target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			switch {
			case tt.want == "" && len(tt.errs) > 0:
				t.Fatalf("errors on good input: %v", tt.errs)
			case tt.want != "" && len(tt.errs) == 0:
				t.Fatalf("no error, want one saying %q", tt.want)
			case tt.want != "" && !strings.Contains(tt.errs[0].Error(), tt.want):
				t.Fatalf("error %q, want one saying %q", tt.errs[0], tt.want)
			}
		})
	}
}
