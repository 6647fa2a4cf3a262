package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// A selector is one vector selector of a PromQL expression: the metric it
// names and the label names its matchers use.
type selector struct {
	name   string
	labels []string
}

// promTokenKind classifies a PromQL token for selectorsOf.
type promTokenKind int

const (
	tokIdent    promTokenKind = iota // a name: metric, label, function or keyword
	tokString                        // "…", '…' or `…`, unquoted
	tokNumber                        // 1, 0.5, 1e3, 0x1f, 5m, 1h30m
	tokVariable                      // a Grafana variable outside a string: $job, ${job:csv}
	tokRange                         // a whole [...] range or subquery
	tokPunct                         // ( ) { } , and operators
)

type promToken struct {
	kind promTokenKind
	text string
}

// lexPromQL splits a PromQL expression, as written in rule files and
// Grafana targets, into tokens. It knows PromQL's strings, numbers,
// durations, comments and operators, and Grafana's $variables; a range or
// subquery ([5m], [$__rate_interval], [1h:1m]) is one token.
func lexPromQL(s string) ([]promToken, error) {
	var toks []promToken
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }
	isDigit := func(c byte) bool { return '0' <= c && c <= '9' }
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			var b strings.Builder
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && c != '`' {
					if j++; j == len(s) {
						break
					}
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at offset %d", i)
			}
			toks = append(toks, promToken{tokString, b.String()})
			i = j + 1
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			j := i
			for j < len(s) && (isIdent(s[j]) || s[j] == '.') {
				j++
			}
			toks = append(toks, promToken{tokNumber, s[i:j]})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			toks = append(toks, promToken{tokIdent, s[i:j]})
			i = j
		case c == '$':
			j := i + 1
			if j < len(s) && s[j] == '{' {
				end := strings.IndexByte(s[j:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unterminated ${ at offset %d", i)
				}
				j += end + 1
			} else {
				for j < len(s) && isIdent(s[j]) {
					j++
				}
			}
			if j == i+1 {
				return nil, fmt.Errorf("lone $ at offset %d", i)
			}
			toks = append(toks, promToken{tokVariable, s[i:j]})
			i = j
		case c == '[':
			depth, j := 0, i
			for ; j < len(s); j++ {
				if s[j] == '[' {
					depth++
				} else if s[j] == ']' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if j == len(s) {
				return nil, fmt.Errorf("unterminated [ at offset %d", i)
			}
			toks = append(toks, promToken{tokRange, s[i : j+1]})
			i = j + 1
		default:
			if i+1 < len(s) {
				switch s[i : i+2] {
				case "==", "!=", "<=", ">=", "=~", "!~":
					toks = append(toks, promToken{tokPunct, s[i : i+2]})
					i += 2
					continue
				}
			}
			if !strings.ContainsRune("(){},+-*/%^=<>@", rune(c)) {
				return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
			}
			toks = append(toks, promToken{tokPunct, string(c)})
			i++
		}
	}
	return toks, nil
}

// promKeywords are PromQL's words that are neither metrics nor functions
// (compared lower-cased, as PromQL does).
var promKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "atan2": true, "bool": true,
	"offset": true, "inf": true, "nan": true,
}

// promGrouping are the keywords followed by a list of label names.
var promGrouping = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// selectorsOf returns the vector selectors of a PromQL expression, in order.
// A name followed by "(" is a function or an aggregation, a name in a
// by/without/on/ignoring/group_left/group_right list is a label, and a name
// inside {} is a label too (or, for __name__="x", names the metric x); every
// other name is a metric. It returns an error for an expression it cannot
// read: an unterminated string, range or matcher list, or a matcher that is
// not label, operator, string.
func selectorsOf(expr string) ([]selector, error) {
	toks, err := lexPromQL(expr)
	if err != nil {
		return nil, err
	}
	var sels []selector
	is := func(i int, text string) bool {
		return i < len(toks) && toks[i].kind == tokPunct && toks[i].text == text
	}
	// matchers reads a {…} list at toks[i] into sel, returning the index
	// after its "}".
	matchers := func(i int, sel *selector) (int, error) {
		for i++; ; {
			if is(i, "}") {
				return i + 1, nil
			}
			if i+2 >= len(toks) || toks[i].kind != tokIdent || toks[i+1].kind != tokPunct || toks[i+2].kind != tokString {
				return 0, fmt.Errorf("unreadable label matcher in %q", expr)
			}
			switch toks[i+1].text {
			case "=", "!=", "=~", "!~":
			default:
				return 0, fmt.Errorf("label %s: operator %q in %q", toks[i].text, toks[i+1].text, expr)
			}
			if toks[i].text == "__name__" {
				if toks[i+1].text != "=" {
					return 0, fmt.Errorf("__name__ matched with %q (only = can be checked) in %q", toks[i+1].text, expr)
				}
				sel.name = toks[i+2].text
			} else {
				sel.labels = append(sel.labels, toks[i].text)
			}
			i += 3
			if is(i, ",") {
				i++
			} else if !is(i, "}") {
				return 0, fmt.Errorf("unterminated label matchers in %q", expr)
			}
		}
	}
	for i := 0; i < len(toks); {
		tok := toks[i]
		switch {
		case tok.kind == tokIdent && promGrouping[strings.ToLower(tok.text)]:
			i++
			if is(i, "(") {
				for i < len(toks) && !is(i, ")") {
					i++
				}
				if i == len(toks) {
					return nil, fmt.Errorf("unterminated %s list in %q", tok.text, expr)
				}
				i++
			}
		case tok.kind == tokIdent && promKeywords[strings.ToLower(tok.text)]:
			i++
		case tok.kind == tokIdent && is(i+1, "("):
			i++ // a function or an aggregation
		case tok.kind == tokIdent && i+1 < len(toks) && toks[i+1].kind == tokIdent && promGrouping[strings.ToLower(toks[i+1].text)] && is(i+2, "("):
			i++ // an aggregation with its grouping first: sum by (job) (…)
		case tok.kind == tokIdent || is(i, "{"):
			sel := selector{}
			if tok.kind == tokIdent {
				sel.name = tok.text
				i++
			}
			if is(i, "{") {
				if i, err = matchers(i, &sel); err != nil {
					return nil, err
				}
			}
			if sel.name == "" {
				return nil, fmt.Errorf("a selector without a metric name in %q", expr)
			}
			sels = append(sels, sel)
		default:
			i++
		}
	}
	return sels, nil
}

func TestSelectorsOf(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want []selector
	}{
		{`vcode_backend_ready == 0`, []selector{{"vcode_backend_ready", nil}}},
		{`sum by (job) (increase(vcode_events_total{op="send", outcome="pumping_blocked"}[10m])) > 0`,
			[]selector{{"vcode_events_total", []string{"op", "outcome"}}}},
		{`sum(rate(a_total[5m])) BY (job, route) / ignoring(code) group_left(region) b`,
			[]selector{{"a_total", nil}, {"b", nil}}},
		{`{__name__="vcode_x", job=~"$job"} offset 1d`, []selector{{"vcode_x", []string{"job"}}}},
		{`histogram_quantile(0.99, sum without (instance) (rate(x_bucket{route!="send"}[$__rate_interval])))`,
			[]selector{{"x_bucket", []string{"route"}}}},
		{`label_replace(x, "dst", "$1", "src", "(.*)") and on() y @ start() or z unless bool w`,
			[]selector{{"x", nil}, {"y", nil}, {"z", nil}, {"w", nil}}},
		{"# a comment naming not_a_metric\nmax_over_time(rate(x[5m])[1h:1m]) > bool Inf", []selector{{"x", nil}}},
		{`topk($n, x{a='it\'s', b=~` + "`a|b`" + `}) * -1.5e3 + 0x1f`, []selector{{"x", []string{"a", "b"}}}},
		{`count_values("version", build_info) / count(up) > .5`, []selector{{"build_info", nil}, {"up", nil}}},
		{`sum by (region) (rate(m:recorded{channel="sms"}[${__rate_interval}]))`, []selector{{"m:recorded", []string{"channel"}}}},
		{`1 + 2`, nil},
	} {
		got, err := selectorsOf(tt.expr)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.expr, got, tt.want)
		}
	}
	for _, bad := range []string{
		`x{job="a`,           // unterminated string
		`x{job="a"`,          // unterminated matchers
		`x{job}`,             // matcher without a value
		`rate(x[5m)`,         // unterminated range
		`x{job<"a"}`,         // not a matcher operator
		`{job="a"}`,          // no metric name
		`sum by (job x`,      // unterminated grouping
		`x{__name__=~"a.*"}`, // a name that cannot be checked
		`x ; y`,              // not PromQL
	} {
		if sels, err := selectorsOf(bad); err == nil {
			t.Errorf("%s: no error (read as %v)", bad, sels)
		}
	}
}
