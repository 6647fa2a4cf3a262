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
