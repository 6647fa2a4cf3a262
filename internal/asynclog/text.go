package asynclog

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// NewTextHandler returns a handler that writes what
// slog.NewTextHandler(w, opts) writes, byte for byte, and formats the
// records whose attributes are all strings, numbers, booleans, durations
// and times (a request line) by hand, without slog's per-record state,
// pooled buffer and value switch: such a line costs about a third of
// slog's formatting. Any other record (a group, a slog.LogValuer, a value
// of any other kind), and the handlers WithAttrs and WithGroup return, are
// slog's own TextHandler on the same writer. With opts.AddSource or
// opts.ReplaceAttr, it is slog.NewTextHandler itself.
//
// Writes to w are serialized, one Write per record, as slog's are.
func NewTextHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	if opts.AddSource || opts.ReplaceAttr != nil {
		return slog.NewTextHandler(w, opts)
	}
	h := &textHandler{w: w, level: opts.Level}
	h.slow = slog.NewTextHandler(lockedWriter{h}, opts)
	return h
}

type textHandler struct {
	mu    sync.Mutex // serializes writes to w, slow's too
	w     io.Writer
	buf   []byte // the line being formatted, under mu
	level slog.Leveler
	slow  *slog.TextHandler
}

// lockedWriter is w under the handler's mutex, for the slog handler.
type lockedWriter struct{ h *textHandler }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	return l.h.w.Write(p)
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool {
	min := slog.LevelInfo
	if h.level != nil {
		min = h.level.Level()
	}
	return l >= min
}

func (h *textHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.slow.WithAttrs(attrs) }
func (h *textHandler) WithGroup(name string) slog.Handler       { return h.slow.WithGroup(name) }

// Handle writes r as slog's TextHandler does.
func (h *textHandler) Handle(ctx context.Context, r slog.Record) error {
	plain := true
	r.Attrs(func(a slog.Attr) bool {
		plain = plainKind(a.Value.Kind())
		return plain
	})
	if !plain {
		return h.slow.Handle(ctx, r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	b := appendRecord(h.buf[:0], r)
	_, err := h.w.Write(b)
	if cap(b) <= 16<<10 {
		h.buf = b // a line of unusual length is not kept
	}
	return err
}

// plainKind says whether appendRecord formats values of kind k.
func plainKind(k slog.Kind) bool {
	switch k {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindFloat64,
		slog.KindBool, slog.KindDuration, slog.KindTime:
		return true
	}
	return false
}

// appendRecord appends r's line, as slog's TextHandler writes it, to b:
// time (omitted when zero), level, message, then each attribute.
func appendRecord(b []byte, r slog.Record) []byte {
	if !r.Time.IsZero() {
		b = append(b, "time="...)
		b = appendRFC3339Millis(b, r.Time)
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendText(b, r.Level.String())
	b = append(b, " msg="...)
	b = appendText(b, r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b = append(b, ' ')
		b = appendText(b, a.Key)
		b = append(b, '=')
		b = appendValue(b, a.Value)
		return true
	})
	return append(b, '\n')
}

// appendValue appends a value of a plain kind as slog's text handler does.
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendText(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return append(b, v.Duration().String()...)
	case slog.KindTime:
		return appendRFC3339Millis(b, v.Time())
	}
	return b // not reached: Handle sends the other kinds to slog
}

// appendText appends s, quoted when slog's text handler quotes it.
//
// One pass settles the usual strings, of printable ASCII: written as they
// are, or quoted when they hold a space or an '=', which strconv.Quote
// writes unescaped between the quotes. A string with anything else (a
// quote, a backslash, a control character, DEL, any non-ASCII byte) takes
// slog's own rule and strconv.AppendQuote.
func appendText(b []byte, s string) []byte {
	quote := len(s) == 0
	for i := 0; i < len(s); i++ {
		switch textClass[s[i]] {
		case textPlain:
		case textQuoted:
			quote = true
		default:
			if needsQuoting(s) {
				return strconv.AppendQuote(b, s)
			}
			return append(b, s...)
		}
	}
	if quote {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return append(b, s...)
}

// The classes of textClass.
const (
	textOther  = iota // anything appendText leaves to slog's rule
	textPlain         // printable ASCII written as it is
	textQuoted        // a space or an '=': the string is quoted, the byte unescaped
)

// textClass classes every byte for appendText.
var textClass = func() (t [256]byte) {
	for c := ' '; c < 0x7f; c++ {
		t[c] = textPlain
	}
	t[' '], t['='] = textQuoted, textQuoted
	t['"'], t['\\'] = textOther, textOther
	return t
}()

// needsQuoting is slog's rule for text values: empty, or holding a space,
// an '=', a '"', an ASCII control character, a Unicode space, a
// non-printing rune or invalid UTF-8. A backslash and DEL pass unquoted.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendRFC3339Millis is slog's time format: RFC 3339 with exactly three
// decimals, truncated.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the fourth decimal
}
