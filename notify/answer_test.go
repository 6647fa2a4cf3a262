package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
)

// hugeAnswer is how much a hostile server would send: far past any bound,
// streamed rather than held.
const hugeAnswer = 64 << 20

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n    *atomic.Int64
	most int // if not 0, the most bytes one Read gives, as TCP may split them
}

func (c countingConn) Read(p []byte) (int, error) {
	if c.most > 0 && len(p) > c.most {
		p = p[:c.most]
	}
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// stream writes hugeAnswer bytes of line (repeated) to w, or until a
// write fails: the client hung up.
func stream(w io.Writer, line string) {
	chunk := []byte(strings.Repeat(line, (32<<10)/len(line)))
	for sent := 0; sent < hugeAnswer; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// expect answers the client's next line with reply.
func expect(w io.Writer, r *bufio.Reader, reply string) bool {
	if _, err := r.ReadString('\n'); err != nil {
		return false
	}
	_, err := io.WriteString(w, reply)
	return err == nil
}

// serveScript serves script on a loopback port, once per connection.
func serveScript(t *testing.T, script func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			script(c)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

// TestSMTPAnswerBounded: a mail server's greeting, replies and TLS records
// are read with a bound. A reply line longer than RFC 5321 allows (512
// octets) fails at once; an endless stream of short lines, or of TLS
// records, fails at the conversation's bound. Either fails as its moment
// says: before the end of DATA the message certainly did not leave.
func TestSMTPAnswerBounded(t *testing.T) {
	cert, roots := selfSigned(t)
	longLine := func(code string) func(w io.Writer) {
		return func(w io.Writer) { io.WriteString(w, code+" "); stream(w, "a") }
	}
	manyLines := func(code string) func(w io.Writer) {
		return func(w io.Writer) { stream(w, code+"-"+strings.Repeat("x", 60)+"\r\n") }
	}
	hello := "250-localhost\r\n250 8BITMIME\r\n"
	for _, tt := range []struct {
		name      string
		security  notify.SMTPSecurity
		script    func(c net.Conn)
		ambiguous bool
		maxRead   int64
	}{
		{"an endless greeting line", notify.Plain, func(c net.Conn) { longLine("220")(c) }, false, 8 << 10},
		{"endless greeting lines", notify.Plain, func(c net.Conn) { manyLines("220")(c) }, false, notify.SMTPReadBound},
		{"an endless EHLO reply", notify.Plain, func(c net.Conn) {
			r := bufio.NewReader(c)
			io.WriteString(c, "220 hostile\r\n")
			if expect(c, r, "") {
				manyLines("250")(c)
			}
		}, false, notify.SMTPReadBound},
		{"an endless line in reply to RCPT", notify.Plain, func(c net.Conn) {
			r := bufio.NewReader(c)
			io.WriteString(c, "220 hostile\r\n")
			if expect(c, r, hello) && expect(c, r, "250 ok\r\n") && expect(c, r, "") {
				longLine("250")(c)
			}
		}, false, 8 << 10},
		{"an endless reply to the end of DATA", notify.Plain, func(c net.Conn) {
			r := bufio.NewReader(c)
			io.WriteString(c, "220 hostile\r\n")
			if !expect(c, r, hello) || !expect(c, r, "250 ok\r\n") || !expect(c, r, "250 ok\r\n") || !expect(c, r, "354 go on\r\n") {
				return
			}
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if line == ".\r\n" {
					break
				}
			}
			longLine("250")(c)
		}, true, 8 << 10},
		{"endless TLS records after STARTTLS", notify.StartTLS, func(c net.Conn) {
			r := bufio.NewReader(c)
			io.WriteString(c, "220 hostile\r\n")
			if !expect(c, r, "250-localhost\r\n250 STARTTLS\r\n") || !expect(c, r, "220 go ahead\r\n") {
				return
			}
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if tc.Handshake() != nil {
				return
			}
			if _, err := bufio.NewReader(tc).ReadString('\n'); err == nil { // EHLO again
				manyLines("250")(tc)
			}
		}, false, notify.SMTPReadBound},
		{"an endless greeting over implicit TLS", notify.ImplicitTLS, func(c net.Conn) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if tc.Handshake() == nil {
				longLine("220")(tc)
			}
		}, false, notify.SMTPReadBound},
	} {
		// Each script twice: with reads as the kernel gives them, and split
		// into pieces of 3 bytes, as TCP may deliver them (a reply's
		// first bytes alone, then the rest): a line that crosses the bound
		// must fail however it arrives, never pass as the part before.
		for _, most := range []int{0, 3} {
			t.Run(fmt.Sprintf("%s/reads of %d", tt.name, most), func(t *testing.T) {
				addr := serveScript(t, tt.script)
				n, err := notify.NewSMTP(notify.SMTPConfig{Addr: addr, Security: tt.security, From: "noreply@example.com",
					TLSConfig: &tls.Config{RootCAs: roots}, Timeout: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				var read atomic.Int64
				var d net.Dialer
				notify.SetSMTPDial(n, func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := d.DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return countingConn{c, &read, most}, nil
				})
				err = n.Notify(context.Background(), emailMessage(i18n.EnUS))
				if err == nil {
					t.Fatal("Notify succeeded")
				}
				if !errors.Is(err, delivery.ErrAnswerTooLong) {
					t.Errorf("Notify = %v, want an error wrapping ErrAnswerTooLong", err)
				}
				if errors.Is(err, delivery.ErrUndelivered) == tt.ambiguous {
					t.Errorf("Notify = %v; undelivered %v, want %v", err, errors.Is(err, delivery.ErrUndelivered), !tt.ambiguous)
				}
				if got := read.Load(); got > tt.maxRead {
					t.Fatalf("read %d bytes from the server, want at most %d", got, tt.maxRead)
				}
				t.Logf("%v; %d bytes read", err, read.Load())
			})
		}
	}
}

// TestLimitAnswers: a body of exactly the bound reads whole; one byte more
// fails with ErrAnswerTooLong, having given no more than the bound.
func TestLimitAnswers(t *testing.T) {
	const limit = 1000
	for _, tt := range []struct {
		size int
		ok   bool
	}{{0, true}, {limit - 1, true}, {limit, true}, {limit + 1, false}, {hugeAnswer, false}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.size == hugeAnswer {
				stream(w, "a")
				return
			}
			w.Write(bytes.Repeat([]byte("a"), tt.size))
		}))
		c := &http.Client{Transport: delivery.LimitAnswers(http.DefaultTransport.(*http.Transport).Clone(), limit)}
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.CloseIdleConnections()
		srv.Close()
		if tt.ok != (err == nil) || (err != nil && !errors.Is(err, delivery.ErrAnswerTooLong)) {
			t.Errorf("%d bytes: %v", tt.size, err)
		}
		if want := min(tt.size, limit); len(b) != want {
			t.Errorf("%d bytes: read %d, want %d", tt.size, len(b), want)
		}
	}
}

// TestSMTPLineBound: a reply line of 512 octets with its CRLF, the most
// RFC 5321 allows, is read; one of 513 is an error of its own.
func TestSMTPLineBound(t *testing.T) {
	for _, size := range []int{512, 513} {
		addr := serveScript(t, func(c net.Conn) {
			// The greeting alone, then the connection closes.
			io.WriteString(c, "220 "+strings.Repeat("a", size-6)+"\r\n")
		})
		n, err := notify.NewSMTP(notify.SMTPConfig{Addr: addr, Security: notify.Plain, From: "noreply@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		err = n.Notify(context.Background(), emailMessage(i18n.EnUS))
		if err == nil || errors.Is(err, delivery.ErrAnswerTooLong) != (size > 512) {
			t.Errorf("a greeting of %d octets: %v", size, err)
		}
	}
}

// TestWebhookAnswerBounded: of a gateway's answer the webhook reads at
// most 64 KiB of headers and 4 KiB of body. Endless headers fail (after
// the request was written: the message may have gone); an endless body
// is not read past its first 4 KiB, and its status decides.
func TestWebhookAnswerBounded(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pad     int // bytes of headers
		ok      bool
		maxRead int64
	}{
		{"4 MiB of headers", 4 << 20, false, 64<<10 + 8<<10},
		{"an endless body", 0, true, 16 << 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if tt.pad > 0 {
					w.Header().Set("X-Pad", strings.Repeat("p", tt.pad))
				}
				w.WriteHeader(http.StatusOK)
				stream(w, "a")
			}))
			t.Cleanup(srv.Close)
			h := newHook(t, srv.URL, 0)
			var read atomic.Int64
			var d net.Dialer
			notify.WebhookTransport(h).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{c, &read, 0}, nil
			}
			err := h.Notify(context.Background(), sample)
			if tt.ok != (err == nil) || errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Notify = %v, want success %v (and never Undelivered)", err, tt.ok)
			}
			if got := read.Load(); got > tt.maxRead {
				t.Fatalf("read %d bytes of the answer, want at most %d", got, tt.maxRead)
			}
			t.Logf("%v; %d bytes read", err, read.Load())
		})
	}
}
