package huaweicloud

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
	"time"

	"github.com/vcodekit/vcode/delivery"
)

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

// TestAnswerBounded: of the service's answer at most maxAnswer bytes of
// headers and of body are read. Endless headers fail after the request
// was written (the message may have gone); an endless body fails as its
// status says (a 4xx is a refusal).
func TestAnswerBounded(t *testing.T) {
	for _, tt := range []struct {
		name        string
		status      int
		pad         int // bytes of headers
		undelivered bool
	}{
		{"200, 4 MiB of headers", http.StatusOK, 4 << 20, false},
		{"200, an endless body", http.StatusOK, 0, false},
		{"400, an endless body", http.StatusBadRequest, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if tt.pad > 0 {
					w.Header().Set("X-Pad", strings.Repeat("p", tt.pad))
				}
				w.WriteHeader(tt.status)
				chunk := []byte(`{"code":"E000510","description":"` + strings.Repeat("a", 32<<10))
				for sent := 0; sent < 64<<20; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}))
			t.Cleanup(srv.Close)
			n, err := New(App{URL: srv.URL, AppKey: "k", AppSecret: "s", Sender: "x", TemplateID: "t"})
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
			err = n.Notify(context.Background(), delivery.Message{Channel: delivery.SMS, To: "+8613612345678", Code: "123456", Validity: time.Minute})
			if err == nil || errors.Is(err, delivery.ErrUndelivered) != tt.undelivered {
				t.Fatalf("Notify = %v, want undelivered %v", err, tt.undelivered)
			}
			if got, bound := read.Load(), int64(maxAnswer+16<<10); got > bound {
				t.Fatalf("read %d bytes of the answer, want at most %d", got, bound)
			}
			t.Logf("%v; %d bytes read", err, read.Load())
		})
	}
}
