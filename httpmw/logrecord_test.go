package httpmw_test

import (
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
)

// recordingHandler keeps the records it is given.
type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler      { return h }

// TestRequestLogRecord: the request line's record, which the handler
// makes itself rather than through Logger.LogAttrs, is what LogAttrs would
// make: the time of the answer, the level, the message, the attributes in
// their documented order, and a PC in httpmw's logCall for a handler's
// source.
func TestRequestLogRecord(t *testing.T) {
	rec := &recordingHandler{}
	e := newEnv(t, nil, httpmw.WithLogger(slog.New(rec)))
	before := time.Now()
	e.do(call{path: httpmw.VerifyPath, body: verifyBody("000000"), header: map[string]string{"X-Request-Id": "req-1"}})
	after := time.Now()
	if len(rec.records) != 1 {
		t.Fatalf("%d records for one request", len(rec.records))
	}
	r := rec.records[0]
	if r.Time.Before(before) || r.Time.After(after) {
		t.Errorf("record time %v, not within the request (%v to %v)", r.Time, before, after)
	}
	if r.Level != slog.LevelInfo || r.Message != "vcode request" {
		t.Errorf("level %v, message %q", r.Level, r.Message)
	}
	var keys []string
	r.Attrs(func(a slog.Attr) bool {
		keys = append(keys, a.Key+"="+a.Value.Kind().String())
		return true
	})
	want := "request_id=String route=String status=Int64 latency=Duration error_code=String contact=String"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("attributes %s, want %s", got, want)
	}
	f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
	if !strings.HasSuffix(f.Function, "httpmw.(*Handler).logCall") || !strings.HasSuffix(f.File, "httpmw/handler.go") {
		t.Errorf("record PC is in %s (%s), want httpmw's logCall", f.Function, f.File)
	}
}
