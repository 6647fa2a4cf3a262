package twilio

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vcodekit/vcode/verifier"
)

const (
	testAccount = "AC0123456789abcdef0123456789abcdef"
	testToken   = "f00df00df00df00df00df00df00df00d"
)

var testMessage = verifier.Message{Channel: verifier.SMS, To: "+8613612345678", Code: "753927", Text: "Your code is 753927."}

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
			n, err := New(Config{AccountSID: testAccount, AuthToken: testToken, From: "+15005550006", APIURL: srv.URL})
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
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, verifier.ErrUndelivered)) {
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
	for _, tt := range []struct{ in, want string }{
		{"The 'To' number +8613612345678 is not a valid phone number.", "The 'To' number +86*********78 is not a valid phone number."},
		{"number 8613612345678 again", "number 861********78 again"},
		{"spaced +86 136 1234 5678 here", "spaced +86************78 here"},
		{"code 753927 quoted", "code <code> quoted"},
		{"line\nbreak", "line break"},
		{strings.Repeat("x", 400), strings.Repeat("x", maxText) + "..."},
	} {
		if got := scrub(tt.in, testMessage); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
