package sns

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vcodekit/vcode/verifier"
)

// failure turns a Publish error into vcode's: Undelivered when SNS
// certainly did not take the message (the request was never written, or
// SNS answered 4xx), a plain error when it may have (5xx, 3xx, an
// unreadable 2xx, a timeout or a broken connection after writing).
//
// The error never wraps the SDK's: its text quotes SNS's message, which may
// hold the phone number. It quotes SNS's code and message with the number,
// the code and the credentials cut out, and wraps context.Canceled or
// context.DeadlineExceeded when one of them ended the call.
func (n *Notifier) failure(err error, wrote bool, m verifier.Message) error {
	status := 0
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode() // 0 when no answer arrived
	}
	var apiErr smithy.APIError
	answer := ""
	if errors.As(err, &apiErr) {
		answer = ": " + apiErr.ErrorCode()
		if msg := apiErr.ErrorMessage(); msg != "" {
			answer += ": " + msg
		}
	}
	answer = n.redact(answer, m)
	switch {
	case status >= 400 && status < 500:
		// SNS's client faults (400 InvalidParameter, 403
		// AuthorizationError, 429 Throttled, ...): refused, not queued.
		return verifier.Undelivered(&publishError{msg: fmt.Sprintf("notify: sns: Publish refused with HTTP %d%s", status, answer)})
	case status >= 200 && status < 300:
		return &publishError{msg: fmt.Sprintf("notify: sns: Publish answered HTTP %d with a body that could not be read; the message may have been sent: %s", status, n.redact(err.Error(), m))}
	case status != 0:
		return &publishError{msg: fmt.Sprintf("notify: sns: Publish answered HTTP %d%s; the message may have been sent", status, answer)}
	}
	pe := &publishError{cause: contextCause(err)}
	if !wrote {
		pe.msg = "notify: sns: Publish failed before its request was sent: " + n.redact(transportCause(err), m)
		return verifier.Undelivered(pe)
	}
	pe.msg = "notify: sns: Publish failed after its request was sent; the message may have been sent: " + n.redact(transportCause(err), m)
	return pe
}

// transportCause is the part of a failure without an answer worth
// reading: the HTTP client's error (which names the endpoint, never a
// credential), a cancellation, or else the SDK's whole text (a
// credentials failure, say).
func transportCause(err error) string {
	var ue *url.Error
	var ce *smithy.CanceledError
	switch {
	case errors.As(err, &ue):
		return ue.Error()
	case errors.As(err, &ce):
		return "canceled: " + ce.Err.Error()
	}
	return err.Error()
}

// publishError is a Publish failure, told without the SDK's text.
type publishError struct {
	msg   string
	cause error // context.Canceled, context.DeadlineExceeded or nil
}

func (e *publishError) Error() string { return e.msg }
func (e *publishError) Unwrap() error { return e.cause }

func contextCause(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	return nil
}

// redact cuts out of s what an error must never show: the phone number
// (with and without its '+'), the code and the credentials.
func (n *Notifier) redact(s string, m verifier.Message) string {
	cut := append([]string{m.To, strings.TrimPrefix(m.To, "+")}, n.secrets...)
	if m.Code != "" {
		cut = append(cut, m.Code)
	}
	for _, c := range cut {
		if c != "" {
			s = strings.ReplaceAll(s, c, "[redacted]")
		}
	}
	return s
}
