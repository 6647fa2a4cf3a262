package httpmw_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
)

// TestRefusedDeliveriesBoundedOverHTTP: one token, one IP and one number
// hammering the send endpoint for 10 s while the provider refuses every
// message made one provider call, and one ERROR line, per request (5,000
// in 10 s). The calls are bounded whatever their outcome: each refused one
// is a 500 and an ERROR line, and the requests past the bound are 429s,
// logged below ERROR.
func TestRefusedDeliveriesBoundedOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	calls := 0
	e.notify = func(context.Context, delivery.Message) error {
		calls++
		return delivery.Undelivered(errors.New("twilio: HTTP 400 21408"))
	}
	const requests = 5000
	statuses := map[int]int{}
	for range requests {
		statuses[e.do(call{path: httpmw.SendPath, body: sendBody}).Code]++
		e.clk.Advance(10 * time.Second / requests)
	}
	errorLines := bytes.Count(e.logBuf.Bytes(), []byte(`"level":"ERROR"`))
	t.Logf("%d requests in 10 s: %d provider calls, %d ERROR lines, statuses %v", requests, calls, errorLines, statuses)
	if calls < 2 || calls > 10 || statuses[http.StatusInternalServerError] != calls || statuses[http.StatusTooManyRequests] != requests-calls {
		t.Fatalf("%d provider calls, statuses %v; want 2 to 10 calls, each a 500, and 429s after", calls, statuses)
	}
	if errorLines != calls {
		t.Fatalf("%d ERROR lines for %d refused calls", errorLines, calls)
	}
}

// TestInvalidRecipientOverHTTP: a provider's certain "not a valid number"
// is the user's to fix: 400 USG.201060002 in the request's language, not
// a 500, logged below ERROR; the limits are given back, so the corrected
// number (or the same one, once the user checked it) may be sent to at
// once.
func TestInvalidRecipientOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	for _, lang := range []string{"zh-CN", "en-US"} {
		e.notify = func(context.Context, delivery.Message) error {
			return delivery.InvalidRecipient(errors.New("twilio: HTTP 400, error 21211"))
		}
		w := e.do(call{path: httpmw.SendPath, body: sendBody, header: map[string]string{"Accept-Language": lang}})
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400: %s", lang, w.Code, w.Body)
		}
		tag := i18n.ZhCN
		if lang == "en-US" {
			tag = i18n.EnUS
		}
		if got := decodeError(t, w); got.Code != httpmw.CodeInvalidContact || got.Message != i18n.Default().Error(tag, i18n.InvalidContact) {
			t.Errorf("%s: %+v, want %s with the invalid-contact message", lang, got, httpmw.CodeInvalidContact)
		}
		// The limits came back: the next send goes through at once.
		e.notify = nil
		if w := e.do(call{path: httpmw.SendPath, body: sendBody}); w.Code != http.StatusOK {
			t.Fatalf("%s: the send after the refusal: %d %s; want 200, the limits given back", lang, w.Code, w.Body)
		}
		e.clk.Advance(time.Hour)
	}
	if bytes.Contains(e.logBuf.Bytes(), []byte(`"level":"ERROR"`)) {
		t.Errorf("a user's wrong number logged as an error: %s", e.logBuf)
	}
}
