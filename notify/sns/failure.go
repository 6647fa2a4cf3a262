package sns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/nyaruka/phonenumbers"

	"github.com/vcodekit/vcode/delivery"
)

// failure turns a Publish error into vcode's: InvalidRecipient when SNS
// refused the number itself (see invalidNumber), Undelivered when SNS
// certainly did not take the message (the request was never written, or
// the answer was 4xx, or a 3xx other than 303 See Other: redirects are
// never followed), a plain error when it may have (5xx, 303, an unreadable
// 2xx, a timeout or a broken connection after writing).
//
// The error never wraps the SDK's: its text quotes SNS's message, which may
// hold the phone number. It quotes SNS's code and message scrubbed (see
// scrub), and wraps context.Canceled or context.DeadlineExceeded when one
// of them ended the call.
func (n *Notifier) failure(err error, wrote bool, m delivery.Message) error {
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
	answer = n.scrub(answer, m, true)
	if answer == "" && errors.Is(err, delivery.ErrAnswerTooLong) {
		answer = ": the answer is longer than 64 KiB, and was not read further (" + delivery.ErrAnswerTooLong.Error() + ")"
	}
	switch {
	case status >= 400 && status < 500 && invalidNumber(apiErr):
		// The number itself refused: the user's to correct.
		return delivery.InvalidRecipient(&publishError{msg: fmt.Sprintf("notify: sns: Publish refused the number with HTTP %d%s", status, answer)})
	case status >= 400 && status < 500:
		// SNS's client faults (400 InvalidParameter, 403
		// AuthorizationError, 429 Throttled, ...): refused, not queued.
		return delivery.Undelivered(&publishError{msg: fmt.Sprintf("notify: sns: Publish refused with HTTP %d%s", status, answer)})
	case status >= 300 && status < 400 && status != http.StatusSeeOther:
		// Never followed (the code would go elsewhere), and no service
		// redirects a request it has processed with anything but 303.
		return delivery.Undelivered(&publishError{msg: fmt.Sprintf("notify: sns: Publish answered HTTP %d, a redirect, which is never followed: not sent%s", status, answer)})
	case status >= 200 && status < 300:
		return &publishError{msg: fmt.Sprintf("notify: sns: Publish answered HTTP %d with a body that could not be read; the message may have been sent: %s", status, n.scrub(err.Error(), m, true))}
	case status != 0:
		// 5xx, and 303 See Other, which may answer a processed POST.
		return &publishError{msg: fmt.Sprintf("notify: sns: Publish answered HTTP %d%s; the message may have been sent", status, answer)}
	}
	pe := &publishError{cause: contextCause(err)}
	if !wrote {
		pe.msg = "notify: sns: Publish failed before its request was sent: " + n.scrub(transportCause(err), m, false)
		return delivery.Undelivered(pe)
	}
	pe.msg = "notify: sns: Publish failed after its request was sent; the message may have been sent: " + n.scrub(transportCause(err), m, false)
	return pe
}

// invalidNumber reports whether apiErr is SNS's refusal of the
// PhoneNumber parameter: InvalidParameter with the message "Invalid
// parameter: PhoneNumber Reason: +1555... is not valid to publish to",
// which SNS answers a number it cannot send an SMS to. InvalidParameter
// on any other parameter (the message, an attribute) is the request's
// fault, not the user's. SNS answers the same to every number from a
// region without SMS; the verifier's Observer reports such refusals as
// their own outcome, so that this shows.
func invalidNumber(apiErr smithy.APIError) bool {
	return apiErr != nil && apiErr.ErrorCode() == "InvalidParameter" &&
		strings.HasPrefix(apiErr.ErrorMessage(), "Invalid parameter: PhoneNumber ")
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

const redacted = "[redacted]"

// credentialPattern matches the credentials in creds as sent and as a
// server or a proxy may echo them: raw, query- or path-escaped (any case
// of hex: %2F, %2f) and JSON-escaped ("\/"). Nil without credentials.
//
// SNS's requests carry no HTTP Basic credentials: the secret access key
// only signs (SigV4), and the access key ID and the session token travel
// as they are, in the Authorization and X-Amz-Security-Token headers.
func credentialPattern(creds ...string) *regexp.Regexp {
	var forms []string
	for _, c := range creds {
		if c == "" {
			continue
		}
		for _, f := range []string{c, url.QueryEscape(c), url.PathEscape(c), strings.ReplaceAll(c, "/", `\/`)} {
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return nil
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for i, f := range forms {
		forms[i] = regexp.QuoteMeta(f)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(forms, "|"))
	re.Longest()
	return re
}

// numberRun is a phone number in any format: 7 or more digits, each from
// the next at most three separators (white space, '.', '-', parentheses)
// apart, with a leading '+' or '(' ("+86-136-1234-5678", "136 1234 5678",
// "(415) 555-2671"). Shorter runs, such as error codes, stay.
var numberRun = regexp.MustCompile(`[+(]*\p{Nd}(?:[\s.\-()]{0,3}\p{Nd}){6,}`)

// scrub cuts out of s what an error must never show, as "[redacted]":
// first the credentials in every form credentialPattern knows (before
// anything else could split one); then, when s is a provider's text
// (runs), every phone-number-like run of digits; then the recipient's
// number (E.164, without its '+', its national significant number and its
// national format, which may be shorter than a run) and the code. A
// transport error's text (runs false) names the endpoint, whose address
// must stay readable.
func (n *Notifier) scrub(s string, m delivery.Message, runs bool) string {
	if n.secrets != nil {
		s = n.secrets.ReplaceAllLiteralString(s, redacted)
	}
	if runs {
		s = numberRun.ReplaceAllLiteralString(s, redacted)
	}
	cut := []string{m.To, strings.TrimPrefix(m.To, "+")}
	if num, err := phonenumbers.Parse(m.To, ""); err == nil {
		national := phonenumbers.Format(num, phonenumbers.NATIONAL)
		cut = append(cut, national, digitsOf(national), phonenumbers.GetNationalSignificantNumber(num))
	}
	slices.SortFunc(cut, func(a, b string) int { return len(b) - len(a) })
	for _, c := range cut {
		if len(c) >= 4 { // nothing shorter is worth a cut
			s = strings.ReplaceAll(s, c, redacted)
		}
	}
	if m.Code != "" { // after the number, which may hold it
		s = strings.ReplaceAll(s, m.Code, redacted)
	}
	return s
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
