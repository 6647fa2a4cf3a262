package asynclog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// textPair formats records with NewTextHandler and with slog's own
// TextHandler, for comparison.
type textPair struct {
	fast, slow       slog.Handler
	fastBuf, slowBuf bytes.Buffer
}

func newTextPair(opts *slog.HandlerOptions) *textPair {
	p := &textPair{}
	p.fast = NewTextHandler(&p.fastBuf, opts)
	p.slow = slog.NewTextHandler(&p.slowBuf, opts)
	return p
}

func (p *textPair) check(t *testing.T, r slog.Record) {
	t.Helper()
	p.fastBuf.Reset()
	p.slowBuf.Reset()
	ferr, serr := p.fast.Handle(context.Background(), r), p.slow.Handle(context.Background(), r)
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("errors differ: %v, slog %v", ferr, serr)
	}
	if got, want := p.fastBuf.String(), p.slowBuf.String(); got != want {
		t.Fatalf("line differs from slog's:\n got %q\nwant %q", got, want)
	}
}

// trickyStrings are the values slog's quoting rule turns on.
var trickyStrings = []string{
	"", "plain", "a b", "a=b", `a"b`, `a\b`, "a\nb", "a\tb", "\x00", "\x1f", "\x7f", "é", "中文",
	"\u00a0", "\u2028", "\u200b", "\ufeff", "\U0001F600", "\xff", "a\xc3", "\xed\xa0\x80", "USG.201060006",
	"+86136****5678", "1.234ms", "-", "=", " ", `\`, `"`, "\u0085", "\u3000", "a\u0301",
}

// TestTextHandlerIsSlogs: NewTextHandler writes slog's TextHandler's line
// byte for byte: for every kind it formats itself, the tricky strings as
// keys, values and messages, every level and odd times, and for the
// records and handlers it leaves to slog (groups, LogValuers, other
// kinds, WithAttrs, WithGroup, AddSource, ReplaceAttr).
func TestTextHandlerIsSlogs(t *testing.T) {
	p := newTextPair(&slog.HandlerOptions{Level: slog.LevelDebug})
	now := time.Date(2026, 12, 2, 3, 4, 5, 999_999_999, time.FixedZone("X", 8*3600+30*60))
	times := []time.Time{{}, now, now.UTC(), time.Unix(0, 0), time.Date(12345, 1, 1, 0, 0, 0, 1_500_000, time.UTC), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Now()}
	for _, tm := range times {
		for _, l := range []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo, slog.LevelInfo + 1, slog.LevelWarn, slog.LevelError, slog.LevelError + 8} {
			r := slog.NewRecord(tm, l, "vcode request", 0)
			r.AddAttrs(slog.String("request_id", "0123456789abcdef0123456789abcdef"), slog.String("route", "verify"),
				slog.Int("status", 429), slog.Duration("latency", 1234567*time.Nanosecond),
				slog.String("error_code", "USG.201060006"), slog.String("contact", "+86136****5678"))
			p.check(t, r)
		}
	}
	values := []slog.Value{
		slog.Int64Value(0), slog.Int64Value(math.MinInt64), slog.Uint64Value(math.MaxUint64),
		slog.Float64Value(0), slog.Float64Value(math.Copysign(0, -1)), slog.Float64Value(1e21), slog.Float64Value(0.1),
		slog.Float64Value(math.NaN()), slog.Float64Value(math.Inf(-1)), slog.BoolValue(true), slog.BoolValue(false),
		slog.DurationValue(0), slog.DurationValue(-time.Hour), slog.DurationValue(math.MaxInt64), slog.DurationValue(1),
		slog.TimeValue(time.Time{}), slog.TimeValue(now),
	}
	for _, s := range trickyStrings {
		values = append(values, slog.StringValue(s))
	}
	for _, s := range trickyStrings {
		for _, v := range values {
			r := slog.NewRecord(now, slog.LevelInfo, s, 0)
			r.AddAttrs(slog.Attr{Key: s, Value: v}, slog.Attr{Key: "k", Value: v})
			p.check(t, r)
		}
	}
	// Left to slog: the whole record goes there.
	for _, a := range []slog.Attr{
		slog.Group("g", slog.String("a", "b")), slog.Group("", slog.Int("x", 1)), slog.Group("empty"),
		slog.Any("err", errors.New("boom x")), slog.Any("bytes", []byte("a b")), slog.Any("nil", nil),
		slog.Any("lv", logValuer{}), {}, slog.Any("level", slog.LevelWarn),
	} {
		r := slog.NewRecord(now, slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.String("first", "x y"), a, slog.Int("after", 2))
		p.check(t, r)
	}
	// Many attributes, past the record's inline ones.
	r := slog.NewRecord(now, slog.LevelInfo, "many", 0)
	for i := range 40 {
		r.AddAttrs(slog.Int(strings.Repeat("k", i+1), i))
	}
	p.check(t, r)
	// Derived handlers and options that make it slog's own handler.
	p.fast, p.slow = p.fast.WithAttrs([]slog.Attr{slog.String("svc", "a b")}), p.slow.WithAttrs([]slog.Attr{slog.String("svc", "a b")})
	p.check(t, slog.NewRecord(now, slog.LevelInfo, "with attrs", 0))
	p.fast, p.slow = p.fast.WithGroup("grp"), p.slow.WithGroup("grp")
	r = slog.NewRecord(now, slog.LevelInfo, "with group", 0)
	r.AddAttrs(slog.Int("n", 1))
	p.check(t, r)
	for _, opts := range []*slog.HandlerOptions{nil, {AddSource: true}, {ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { a.Key = strings.ToUpper(a.Key); return a }}} {
		p := newTextPair(opts)
		r := slog.NewRecord(now, slog.LevelInfo, "opts", 0)
		r.AddAttrs(slog.Int("n", 1))
		p.check(t, r)
	}
}

type logValuer struct{}

func (logValuer) LogValue() slog.Value { return slog.StringValue("resolved value") }

// TestTextHandlerLevels: Enabled follows HandlerOptions.Level as slog's
// handler does, INFO by default.
func TestTextHandlerLevels(t *testing.T) {
	var lv slog.LevelVar
	for _, opts := range []*slog.HandlerOptions{nil, {Level: slog.LevelWarn}, {Level: &lv}} {
		fast, slow := NewTextHandler(nil, opts), slog.NewTextHandler(nil, opts)
		for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
			lv.Set(l)
			for _, at := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
				if f, s := fast.Enabled(context.Background(), at), slow.Enabled(context.Background(), at); f != s {
					t.Errorf("opts %+v, set %v: Enabled(%v) = %v, slog's %v", opts, l, at, f, s)
				}
			}
		}
	}
}

// FuzzTextHandlerIsSlogs: any message, key and string value give slog's
// line.
func FuzzTextHandlerIsSlogs(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s, s, int64(len(s)))
	}
	p := newTextPair(nil)
	f.Fuzz(func(t *testing.T, msg, key, val string, n int64) {
		r := slog.NewRecord(time.Unix(0, n), slog.Level(n%12), msg, 0)
		r.AddAttrs(slog.String(key, val), slog.Int64(val, n), slog.Duration(key, time.Duration(n)))
		p.check(t, r)
	})
}

// TestTextHandlerRandomStrings: random strings over an alphabet of the
// characters slog's quoting turns on, as a deterministic fuzz.
func TestTextHandlerRandomStrings(t *testing.T) {
	alphabet := []string{"a", "Z", "0", " ", "=", `"`, `\`, "\n", "\x00", "\x7f", "é", "\u00a0", "\u200b", "\xff", "\xc3", "中", "\U0001F600", "*", "+", ".", ":"}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var sb strings.Builder
		for range rng.IntN(6) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	p := newTextPair(nil)
	for range 5000 {
		r := slog.NewRecord(time.Unix(rng.Int64N(1<<40), rng.Int64N(1e9)), slog.LevelInfo, word(), 0)
		r.AddAttrs(slog.String(word(), word()), slog.String(word(), word()))
		p.check(t, r)
	}
}

// BenchmarkTextHandler: a request line, by NewTextHandler and by slog's
// TextHandler.
func BenchmarkTextHandler(b *testing.B) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "vcode request", 0)
	r.AddAttrs(slog.String("request_id", "0123456789abcdef0123456789abcdef"), slog.String("route", "verify"),
		slog.Int("status", 429), slog.Duration("latency", 1234567*time.Nanosecond),
		slog.String("error_code", "USG.201060006"), slog.String("contact", "+86136****5678"))
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{{"asynclog", NewTextHandler(discard{}, nil)}, {"slog", slog.NewTextHandler(discard{}, nil)}} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.h.Handle(context.Background(), r)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
