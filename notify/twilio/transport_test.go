package twilio

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vcodekit/vcode/delivery"
)

const (
	testAccount = "AC0123456789abcdef0123456789abcdef"
	testToken   = "f00df00df00df00df00df00df00df00d"
)

var testMessage = delivery.Message{Channel: delivery.SMS, To: "+8613612345678", Code: "753927", Text: "Your code is 753927."}

// TestRetryBeforeWrite: a failed dial is tried once more, and only once.
func TestRetryBeforeWrite(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name     string
		failures int32 // dials that fail before one succeeds
		dials    int32
		ok       bool
	}{
		{"first dial fails", 1, 2, true},
		{"both dials fail", 2, 2, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			requests.Store(0)
			n, err := New(Account{SID: testAccount, AuthToken: testToken, From: "+15005550006"}, WithAPIURL(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			var dials atomic.Int32
			var d net.Dialer
			n.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if dials.Add(1) <= tt.failures {
					return nil, errors.New("dial refused by the test")
				}
				return d.DialContext(ctx, network, addr)
			}
			err = n.Notify(context.Background(), testMessage)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, delivery.ErrUndelivered)) {
				t.Fatalf("Notify = %v", err)
			}
			if dials.Load() != tt.dials {
				t.Errorf("%d dials, want %d", dials.Load(), tt.dials)
			}
			if want := int32(tt.dials - tt.failures); requests.Load() != max(want, 0) {
				t.Errorf("%d requests, want %d", requests.Load(), want)
			}
		})
	}
}

// TestOneRequestPerAttempt: should twilio-go ask to send the request a
// second time (it does for some error answers of newer APIs), the
// transport refuses.
func TestOneRequestPerAttempt(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
	}))
	t.Cleanup(srv.Close)
	rt := &attemptTransport{base: http.DefaultTransport, ctx: context.Background()}
	c := &http.Client{Transport: rt}
	for i, want := range []error{nil, errSecondRequest} {
		resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("body"))
		if !errors.Is(err, want) {
			t.Fatalf("request %d: %v, want %v", i+1, err, want)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
	if requests.Load() != 1 || !rt.wrote.Load() || rt.status.Load() != 200 {
		t.Fatalf("%d requests, wrote %v, status %d", requests.Load(), rt.wrote.Load(), rt.status.Load())
	}
}

func TestScrub(t *testing.T) {
	cred := newCredential(testAccount, testToken)
	b64 := base64.StdEncoding.EncodeToString([]byte(testAccount + ":" + testToken))
	for _, tt := range []struct{ in, want string }{
		{"The 'To' number +8613612345678 is not a valid phone number.", "The 'To' number +86*********78 is not a valid phone number."},
		{"number 8613612345678 again", "number 861********78 again"},
		{"code 753927 quoted", "code <code> quoted"},
		{"line\nbreak", "line break"},
		{strings.Repeat("x", 400), strings.Repeat("x", maxText) + "..."},

		// Credentials, however a server or proxy echoes them.
		{"token " + testToken + " echoed", "token [redacted] echoed"},
		{"token " + strings.ToUpper(testToken) + " in capitals", "token [redacted] in capitals"},
		{"Authorization: Basic " + b64, "Authorization: Basic [redacted]"},
		{"raw " + b64 + ".", "raw [redacted]."},
		{"unpadded " + strings.TrimRight(b64, "=") + " too", "unpadded [redacted] too"},
		{"escaped " + url.QueryEscape(b64) + " too", "escaped [redacted] too"},
		{"url-safe " + base64.RawURLEncoding.EncodeToString([]byte(testAccount+":"+testToken)) + " too", "url-safe [redacted] too"},

		// Numbers in other forms than E.164; short codes and SIDs stay.
		{"spaced +86 136 1234 5678 here", "spaced [redacted] here"},
		{"national 136 1234 5678, dashed +86-136-1234-5678, dotted 136.1234.5678", "national [redacted], dashed [redacted], dotted [redacted]"},
		{"bare 13612345678; other (415) 555-2671 or +1 415-555-2671", "bare [redacted]; other ([redacted] or [redacted]"},
		{"To=13612345678&x", "To=[redacted]&x"},
		{"error 21211 for message SM0123456789abcdef0123456789abcdef of AC0123456789abcdef0123456789abcdef", "error 21211 for message SM0123456789abcdef0123456789abcdef of AC0123456789abcdef0123456789abcdef"},
		{"at /2010-04-01/Accounts from 203.0.113.200:443", "at /2010-04-01/Accounts from 203.0.113.200:443"},
		{"short 123456 stays", "short 123456 stays"},
	} {
		if got := scrub(tt.in, testMessage, cred.redact); got != tt.want {
			t.Errorf("scrub(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
	// The recipient's national number, however short: +290 is Saint
	// Helena, with 4-digit numbers.
	m := delivery.Message{To: "+2904123", Code: "9876"}
	if got, want := scrub("number 4123, code 9876, error 41234", m, nil), "number [redacted], code <code>, error 41234"; got != want {
		t.Errorf("scrub = %q, want %q", got, want)
	}
}
