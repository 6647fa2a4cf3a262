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

	"github.com/vcodekit/vcode/delivery"
)

// hugeAnswer is how much the servers of TestAnswerBounded would send:
// far past any bound, streamed rather than held.
const hugeAnswer = 64 << 20

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// streamAnswer answers status with a body that opens as JSON and goes on
// with fill, until hugeAnswer bytes or until the client hangs up.
// With pad, a header of pad bytes comes first.
func streamAnswer(status int, open string, fill byte, pad int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The whole request first, as Twilio reads it: an answer that
		// overtakes the request's body makes net/http drop the
		// connection, whatever the answer.
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if pad > 0 {
			w.Header().Set("X-Pad", strings.Repeat("p", pad))
		}
		w.WriteHeader(status)
		if _, err := w.Write([]byte(open)); err != nil {
			return
		}
		chunk := []byte(strings.Repeat(string(fill), 32<<10))
		for sent := len(open); sent < hugeAnswer; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// TestAnswerBounded: however long Twilio's answer, the Notifier reads at
// most maxAnswer bytes of its body, and fails as the status says: a 2xx
// or a 5xx may have created the message, a 4xx refused it.
func TestAnswerBounded(t *testing.T) {
	for _, tt := range []struct {
		name        string
		status      int
		open        string
		fill        byte
		pad         int
		undelivered bool
	}{
		{"201, an endless SID", http.StatusCreated, `{"sid":"SM`, 'a', 0, false},
		{"201, endless white space", http.StatusCreated, `{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued",`, ' ', 0, false},
		{"400, an endless message", http.StatusBadRequest, `{"code":21211,"message":"`, 'a', 0, true},
		{"500, an endless message", http.StatusInternalServerError, `{"code":20500,"message":"`, 'a', 0, false},
		// Headers past the bound: the request was written, and no
		// answer was read, which may have sent the message.
		{"201, 4 MiB of headers", http.StatusCreated, `{`, ' ', 4 << 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(streamAnswer(tt.status, tt.open, tt.fill, tt.pad))
			t.Cleanup(srv.Close)
			n, err := New(Account{SID: testAccount, AuthToken: testToken, From: "+15005550006"}, WithAPIURL(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			var read atomic.Int64
			var d net.Dialer
			n.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{c, &read}, nil
			}
			err = n.Notify(context.Background(), testMessage)
			if err == nil {
				t.Fatal("Notify succeeded on an endless answer")
			}
			if errors.Is(err, delivery.ErrUndelivered) != tt.undelivered {
				t.Fatalf("Notify = %v; undelivered %v, want %v", err, errors.Is(err, delivery.ErrUndelivered), tt.undelivered)
			}
			var apiErr *APIError
			switch {
			case tt.pad > 0:
				// net/http's own error: "server response headers
				// exceeded 65536 bytes".
			case tt.status < 300:
				if !errors.Is(err, delivery.ErrAnswerTooLong) {
					t.Errorf("Notify = %v, want an error wrapping delivery.ErrAnswerTooLong", err)
				}
			default:
				if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Message != tooLong {
					t.Errorf("Notify = %v, want an APIError of HTTP %d saying the answer is too long", err, tt.status)
				}
			}
			// The body's bound, with room for the headers and one
			// buffer of the transport's.
			if got, bound := read.Load(), int64(maxAnswer+16<<10); got > bound {
				t.Fatalf("read %d bytes of the answer, want at most %d", got, bound)
			}
			t.Logf("%v; %d bytes read", err, read.Load())
		})
	}
}
