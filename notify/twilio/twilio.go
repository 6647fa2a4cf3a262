package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	sdkclient "github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/vcodekit/vcode/delivery"
)

// maxAnswer bounds the body of Twilio's answer that is read, and its
// headers: a Message
// resource or an error is a few hundred bytes to a couple of KiB. A longer
// answer fails (delivery.ErrAnswerTooLong) as its status says: a 4xx's is a
// refusal, a 2xx's or a 5xx's may have sent the message.
const maxAnswer = 64 << 10

// tooLong is APIError.Message for an error answer past maxAnswer.
const tooLong = "the answer is longer than 64 KiB, and was not read further"

// Notifier sends codes by SMS through Twilio Programmable Messaging: one
// Message resource per code, created with twilio-go's
// Api.CreateMessage (POST /2010-04-01/Accounts/{AccountSid}/Messages.json,
// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource)
// with To, Body (the message's localised text) and From or
// MessagingServiceSid. It is safe for concurrent use.
type Notifier struct {
	account Account // without its secrets, which only cred holds
	timeout time.Duration
	base    *url.URL
	// cred is behind a func, which fmt prints as an address whatever
	// the verb (a pointer it follows for %s, %d...): no printing of a
	// Notifier, or of a struct holding one, shows the credential.
	cred      func() *credential
	transport *http.Transport
}

// credential is what a request authenticates with, and what errors must
// never quote.
type credential struct {
	username, password string
	// redact finds the password and the forms of the Authorization
	// header's value, for scrub.
	redact *regexp.Regexp
}

var _ delivery.ChannelNotifier = (*Notifier)(nil)

// New checks account and the options, and returns a Notifier. Every
// problem is reported at once, in one error. It makes no request.
func New(account Account, opts ...Option) (*Notifier, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	if err := check(account, s); err != nil {
		return nil, err
	}
	if s.apiURL == "" {
		s.apiURL = DefaultAPIURL
	}
	base, err := parseAPIURL(s.apiURL)
	if err != nil {
		return nil, fmt.Errorf("notify: twilio: WithAPIURL %v", err)
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	user, password := account.SID, account.AuthToken
	if account.AuthToken == "" {
		user, password = account.APIKey, account.APISecret
	}
	account.AuthToken, account.APISecret = "", ""
	cred := newCredential(user, password)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxResponseHeaderBytes = maxAnswer
	return &Notifier{
		account: account, timeout: s.timeout, base: base,
		cred:      func() *credential { return cred },
		transport: transport,
	}, nil
}

// Supports reports whether ch is SMS, the one channel the Notifier
// delivers.
func (n *Notifier) Supports(ch delivery.Channel) bool { return ch == delivery.SMS }

// String describes the Notifier for a startup log: the API's host, the
// account, the sender and the kind of credential, never a secret.
func (n *Notifier) String() string {
	sender := "from " + n.account.From
	if n.account.MessagingServiceSID != "" {
		sender = "messaging service " + n.account.MessagingServiceSID
	}
	auth := "auth token"
	if n.account.APIKey != "" {
		auth = "API key " + n.account.APIKey
	}
	return fmt.Sprintf("twilio SMS via %s (account %s, %s, %s)", n.base.Host, n.account.SID, sender, auth)
}

// GoString is fmt's %#v of the Notifier: String's description, never a
// secret.
func (n *Notifier) GoString() string { return fmt.Sprintf("&twilio.Notifier{%q}", n.String()) }

// Close closes the idle connections of the Notifier's transport, so that
// no goroutine of it outlives its use. The Notifier stays usable: a later
// Notify dials again. It always returns nil.
func (n *Notifier) Close() error {
	n.transport.CloseIdleConnections()
	return nil
}

// Notify sends m.Text to m.To. An error wrapped with delivery.Undelivered
// says the message certainly did not leave: no request was written, or
// Twilio refused it (4xx). Any other error says it may have: a timeout
// or a broken connection after the request was written, a 5xx, an answer
// that cannot be read. An attempt that failed before its request was
// written is made once more; nothing else is repeated.
func (n *Notifier) Notify(ctx context.Context, m delivery.Message) error {
	switch {
	case m.Channel != delivery.SMS:
		return delivery.Undelivered(fmt.Errorf("notify: twilio: cannot deliver the %s channel", m.Channel))
	case m.To == "":
		return delivery.Undelivered(errors.New("notify: twilio: message has no recipient"))
	case strings.TrimSpace(m.Text) == "":
		return delivery.Undelivered(errors.New("notify: twilio: message has no text"))
	}
	if err := ctx.Err(); err != nil {
		return delivery.Undelivered(fmt.Errorf("notify: twilio: %w", err))
	}
	again, err := n.send(ctx, m)
	if again && ctx.Err() == nil {
		_, err = n.send(ctx, m)
	}
	return err
}

// send makes one attempt and says whether it may be repeated: only after
// a failure before the request was written.
func (n *Notifier) send(ctx context.Context, m delivery.Message) (again bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	api, rt := n.service(ctx)
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Text)
	if n.account.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(n.account.MessagingServiceSID)
	} else {
		params.SetFrom(n.account.From)
	}
	msg, err := api.CreateMessage(params)
	return n.verdict(m, msg, err, int(rt.status.Load()), rt.wrote.Load())
}

// verdict classifies what CreateMessage returned, given the HTTP status
// of the answer (0 if none came) and whether the request was written.
func (n *Notifier) verdict(m delivery.Message, msg *openapi.ApiV2010Message, err error, status int, wrote bool) (again bool, _ error) {
	var restErr *sdkclient.TwilioRestError
	switch {
	case status >= 200 && status < 300:
		if err != nil {
			// Accepted, maybe; the answer could not be read.
			return false, fmt.Errorf("notify: twilio: HTTP %d with an unreadable body: %w", status, n.clean(err, m))
		}
		if msg == nil || msg.Sid == nil || *msg.Sid == "" {
			return false, fmt.Errorf("notify: twilio: HTTP %d without a message SID", status)
		}
		if msg.Status != nil && *msg.Status == "failed" {
			// Created, and failed before leaving Twilio (a queue
			// overflow, a suspended account).
			e := &APIError{Status: status, SID: *msg.Sid}
			if msg.ErrorCode != nil {
				e.Code = *msg.ErrorCode
			}
			if msg.ErrorMessage != nil {
				e.Message = n.scrub(*msg.ErrorMessage, m)
			}
			return false, delivery.Undelivered(e)
		}
		return false, nil
	case status == http.StatusSeeOther:
		// May answer a POST that was processed (notify's rule).
		return false, fmt.Errorf("notify: twilio: HTTP %d", status)
	case status >= 300 && status < 500:
		// A refusal: 4xx, among them 401 (20003), 429 (20429) and the
		// 400s of an invalid number (21211, 21614), a region not enabled
		// (21408) or an unsubscribed recipient (21610); or a redirect,
		// never followed.
		return false, delivery.Undelivered(n.apiError(status, err, m))
	case status != 0:
		// 5xx: Twilio may have created the message (20500's page: "If
		// you get a 500 Server Error on these requests, and you retry
		// the request, it is possible for a customer to receive multiple
		// messages").
		return false, n.apiError(status, err, m)
	case errors.As(err, &restErr):
		// Made up by the SDK before sending (client.Client refuses
		// credentials with characters other than letters and digits).
		return false, delivery.Undelivered(fmt.Errorf("notify: twilio: twilio-go refused to send: error %d: %s", restErr.Code, n.scrub(restErr.Message, m)))
	case !wrote:
		// Dialling, TLS or writing failed: Twilio has no complete request.
		return true, delivery.Undelivered(fmt.Errorf("notify: twilio: %w", n.clean(err, m)))
	default:
		// Written, then no answer: a timeout, a broken connection.
		return false, fmt.Errorf("notify: twilio: no answer after the request was sent: %w", n.clean(err, m))
	}
}

// apiError is the *APIError of an error answer with status: Twilio's
// error, which the SDK decoded into err, scrubbed; or an answer too long
// to read.
func (n *Notifier) apiError(status int, err error, m delivery.Message) *APIError {
	e := &APIError{Status: status}
	var restErr *sdkclient.TwilioRestError
	if errors.As(err, &restErr) {
		e.Code, e.Message, e.MoreInfo = restErr.Code, n.scrub(restErr.Message, m), n.scrub(restErr.MoreInfo, m)
	} else if errors.Is(err, delivery.ErrAnswerTooLong) {
		e.Message = tooLong
	}
	return e
}

// clean makes an error of the SDK's or of the transport fit to return:
// the URL a *url.Error quotes redacted, though this package's URLs carry
// no credentials (New refuses user information and queries; the Account
// SID in the path is an identifier, and stays), and the rest of its text
// scrubbed as provider text is: it may quote the answer (a JSON literal,
// a malformed status line of a proxy's). errors.Is and errors.As still
// find the errors it wraps.
func (n *Notifier) clean(err error, m delivery.Message) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = delivery.RedactURL(ue.URL)
		if ue.Err != nil {
			ue.Err = &scrubbed{text: n.scrub(ue.Err.Error(), m), err: ue.Err}
		}
		return err
	}
	return &scrubbed{text: n.scrub(err.Error(), m), err: err}
}

// scrubbed is an error with its text scrubbed.
type scrubbed struct {
	text string
	err  error
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// Timeout keeps url.Error's Timeout working through the wrapping.
func (e *scrubbed) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}
