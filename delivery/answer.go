package delivery

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrAnswerTooLong reports an answer from a provider, gateway or relay
// longer than vcode reads: an HTTP body past its bound, or an SMTP reply
// line longer than RFC 5321 allows, or a conversation past its bound. The
// errors of this package's notifiers and of the provider modules wrap it.
//
// What such a failure means for the message follows from when it came,
// as for any failure: a bound met before the request was answered, or in
// a 4xx's body, is the certain refusal it would have been; in a 2xx's or
// a 5xx's body, or after the end of an SMTP DATA, the message may have
// left.
var ErrAnswerTooLong = errors.New("delivery: answer too long")

// LimitAnswers returns a RoundTripper that sends through rt and bounds
// every response body to limit bytes: a read past them fails with an
// error wrapping ErrAnswerTooLong, so that a client (an SDK's decoder
// among them) holds at most limit bytes of an answer, however long the
// answer. Closing the body before its end, as after such an error, drops
// the connection. CloseIdleConnections reaches rt.
//
// Response headers are bounded by the transport itself
// (http.Transport.MaxResponseHeaderBytes).
func LimitAnswers(rt http.RoundTripper, limit int64) http.RoundTripper {
	return &limitedTransport{rt: rt, limit: limit}
}

type limitedTransport struct {
	rt    http.RoundTripper
	limit int64
}

// RoundTrip implements http.RoundTripper.
func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		resp.Body = &limitedBody{rc: resp.Body, left: t.limit}
	}
	return resp, err
}

// CloseIdleConnections closes rt's idle connections, if it has any.
func (t *limitedTransport) CloseIdleConnections() {
	if c, ok := t.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// limitedBody is a body that fails once read past left.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLong
	}
	// Read one byte more than is left, to tell an answer of exactly the
	// bound from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), errTooLong
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// errTooLong is the body's error past its bound.
var errTooLong = fmt.Errorf("%w: the body is past its bound", ErrAnswerTooLong)
