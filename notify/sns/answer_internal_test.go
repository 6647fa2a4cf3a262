package sns

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

// TestAnswerBounded: however long SNS's answer, the Notifier reads at most
// maxAnswer bytes of its body, and fails as the status says: a 2xx or a
// 5xx may have sent the message, a 4xx refused it.
func TestAnswerBounded(t *testing.T) {
	const publishOpen = `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>`
	const errorOpen = `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>`
	for _, tt := range []struct {
		name        string
		status      int
		open        string
		pad         int // bytes of headers before the body
		undelivered bool
	}{
		{"200, an endless MessageId", http.StatusOK, publishOpen, 0, false},
		{"400, an endless message", http.StatusBadRequest, errorOpen, 0, true},
		{"500, an endless message", http.StatusInternalServerError, strings.Replace(errorOpen, "Sender", "Receiver", 1), 0, false},
		// Headers past the bound: the request was written and no answer
		// read, which may have sent the message.
		{"200, 4 MiB of headers", http.StatusOK, publishOpen, 4 << 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// The whole request first, as SNS reads it: an answer
				// that overtakes the request's body makes net/http drop
				// the connection, whatever the answer.
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "text/xml")
				if tt.pad > 0 {
					w.Header().Set("X-Pad", strings.Repeat("p", tt.pad))
				}
				w.WriteHeader(tt.status)
				if _, err := w.Write([]byte(tt.open)); err != nil {
					return
				}
				chunk := []byte(strings.Repeat("a", 32<<10))
				for sent := len(tt.open); sent < hugeAnswer; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}))
			t.Cleanup(srv.Close)
			n, err := New(WithRegion("us-east-1"), WithStaticCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""), WithEndpoint(srv.URL))
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
			m := delivery.Message{Channel: delivery.SMS, To: "+14155552671", Code: "753927", Text: "Your code is 753927."}
			err = n.Notify(context.Background(), m)
			if err == nil {
				t.Fatal("Notify succeeded on an endless answer")
			}
			if errors.Is(err, delivery.ErrUndelivered) != tt.undelivered {
				t.Fatalf("Notify = %v; undelivered %v, want %v", err, errors.Is(err, delivery.ErrUndelivered), tt.undelivered)
			}
			// The SDK may also give up on the body before the bound (its
			// XML decoder failing on the padding races the read): then
			// fewer bytes than the bound were read, and that is as bounded.
			if tt.pad == 0 && !strings.Contains(err.Error(), "answer too long") && read.Load() >= maxAnswer {
				t.Errorf("Notify = %v after %d bytes, want it to say the answer is too long", err, read.Load())
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
