package huaweicloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
)

// maxAnswer bounds the answer read: the documented one is a few hundred
// bytes.
const maxAnswer = 64 << 10

// Notifier sends SMS codes through the SMS Sending API of Huawei Cloud
// Message & SMS. It is safe for concurrent use.
//
// Printing a Notifier shows no credential, whatever the verb (String,
// GoString, LogValue); printed as a value, its fields show only addresses.
type Notifier struct {
	// The state sits behind a pointer, and the config behind another:
	// fmt prints a pointer field as an address, but a verb a pointer
	// does not take (%s, %q) prints the struct it points to, whose own
	// pointer fields then print as addresses.
	*notifier
}

type notifier struct {
	cfg       *config // the App and the options, copied
	endpoint  string  // the access address with the API's path
	host      string
	client    *http.Client
	transport *http.Transport // the client's own, nil with WithClient
	tags      []language.Tag  // WithTemplates' languages, sorted
	ids       []string        // their templates, in the same order
	matcher   language.Matcher
	now       func() time.Time
	closed    atomic.Bool
}

var _ delivery.ChannelNotifier = (*Notifier)(nil)

// New checks app and the options, and returns a Notifier. Every problem
// is reported at once, in one error. It makes no request.
func New(app App, opts ...Option) (*Notifier, error) {
	cfg := config{App: app}
	for _, o := range opts {
		o(&cfg)
	}
	endpoint, tags, ids, problems := cfg.validate()
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = p.err()
		}
		return nil, errors.Join(errs...)
	}
	if cfg.timeout == 0 {
		cfg.timeout = DefaultTimeout
	}
	cfg.templateIDs = nil // kept as tags and ids; the caller's map is not held
	var transport *http.Transport
	var client *http.Client
	if cfg.client != nil {
		c := *cfg.client // the caller's client is left as it is
		client = &c
	} else {
		transport = http.DefaultTransport.(*http.Transport).Clone()
		// The answer's headers are bounded as its body is (net/http's
		// default for headers is 10 MiB).
		transport.MaxResponseHeaderBytes = maxAnswer
		client = &http.Client{Transport: transport}
	}
	// Following a redirect would post the request elsewhere, perhaps
	// twice.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	u, _ := url.Parse(endpoint)
	n := &Notifier{&notifier{cfg: &cfg, endpoint: endpoint, host: u.Host, client: client, transport: transport, tags: tags, ids: ids, now: time.Now}}
	if len(tags) > 0 {
		n.matcher = language.NewMatcher(tags)
	}
	return n, nil
}

// Close ends the Notifier: it closes the idle connections of its own
// transport, so that none of its goroutines outlives it, and a later
// Notify fails (wrapped with delivery.Undelivered) without a request. A
// send in flight is not cut short; its connection is closed when it ends.
// With WithClient, the client and its transport stay the caller's to
// manage: Close leaves their connections alone. It always returns nil,
// and may be called more than once.
func (n *Notifier) Close() error {
	n.closed.Store(true)
	if n.transport != nil {
		n.transport.CloseIdleConnections()
	}
	return nil
}

// Supports reports whether ch is delivery.SMS, the one channel it sends.
func (n *Notifier) Supports(ch delivery.Channel) bool { return ch == delivery.SMS }

// String describes the Notifier for a startup log: the service, the
// access address's host and the sender. It holds no credential.
func (n *Notifier) String() string {
	return fmt.Sprintf("huaweicloud: Message & SMS at %s, sender %s, %d template(s)", n.host, n.cfg.Sender, 1+len(n.ids))
}

// Notify sends m's code with the template of m's language. It returns
// nil once the service has taken the message for the number; an error
// wrapped with delivery.Undelivered when the message certainly did not
// leave; any other error when it may have (see the package
// documentation).
func (n *Notifier) Notify(ctx context.Context, m delivery.Message) error {
	if n.closed.Load() {
		return delivery.Undelivered(errors.New("notify: huaweicloud: the notifier is closed"))
	}
	if m.Channel != delivery.SMS {
		return delivery.Undelivered(fmt.Errorf("notify: huaweicloud: channel %q is not sms", m.Channel))
	}
	if !isE164(m.To) {
		return delivery.Undelivered(errors.New("notify: huaweicloud: the number is not in E.164 form"))
	}
	if m.Code == "" {
		return delivery.Undelivered(errors.New("notify: huaweicloud: the message has no code"))
	}
	paras, err := n.params(m)
	if err != nil {
		return delivery.Undelivered(err)
	}
	body := n.form(m.To, n.template(m.Language), paras)
	res, again, err := n.post(ctx, body, m)
	if again {
		// The first request never left: the one retry allowed.
		res, _, err = n.post(ctx, body, m)
	}
	if n.closed.Load() && n.transport != nil {
		// Closed while the request was on its way: its connection
		// would outlive the Notifier.
		n.transport.CloseIdleConnections()
	}
	switch res {
	case sent:
		return nil
	case refused:
		return delivery.Undelivered(err)
	case invalidNumber:
		return delivery.InvalidRecipient(err)
	}
	return err
}

// template returns the template of tag: its own, else the closest
// language's, else the default. The matcher's index is used, not the tag
// it returns (which may carry extensions).
func (n *Notifier) template(tag language.Tag) string {
	if n.matcher == nil || tag == language.Und {
		return n.cfg.TemplateID
	}
	for i, t := range n.tags {
		if t == tag {
			return n.ids[i]
		}
	}
	if _, i, conf := n.matcher.Match(tag); conf != language.No {
		return n.ids[i]
	}
	return n.cfg.TemplateID
}

// params returns the template's parameters: the code, then (unless
// WithCodeOnly) the validity in whole minutes, rounded up.
func (n *Notifier) params(m delivery.Message) ([]string, error) {
	if n.cfg.codeOnly {
		return []string{m.Code}, nil
	}
	v := m.Validity
	if v <= 0 && !m.ExpiresAt.IsZero() {
		v = m.ExpiresAt.Sub(n.now())
	}
	if v <= 0 {
		return nil, errors.New("notify: huaweicloud: the message has no validity to give the template")
	}
	return []string{m.Code, strconv.FormatInt(int64((v+time.Minute-1)/time.Minute), 10)}, nil
}

// form returns the request body, its fields in the order of the API
// reference's example, each URL-encoded as it requires.
func (n *Notifier) form(to, templateID string, paras []string) string {
	js, _ := json.Marshal(paras) // a JSON array of strings: ["123456","5"]
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	add("from", n.cfg.Sender)
	add("to", to)
	add("templateId", templateID)
	add("templateParas", string(js))
	if n.cfg.statusCallback != "" {
		add("statusCallback", n.cfg.statusCallback)
	}
	if n.cfg.signature != "" {
		add("signature", n.cfg.signature)
	}
	return b.String()
}

// post makes one request. again says it failed before the request was
// written, for a reason other than ctx: the one case worth a retry.
func (n *Notifier) post(ctx context.Context, body string, m delivery.Message) (res outcome, again bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.endpoint, strings.NewReader(body))
	if err != nil {
		return refused, false, fmt.Errorf("notify: huaweicloud: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", authorization)
	header, digest := wsse(n.cfg.AppKey, n.cfg.AppSecret, n.now())
	req.Header.Set("X-WSSE", header)
	req.Header.Set("User-Agent", "vcode-huaweicloud/1")
	resp, err := n.client.Do(req)
	if err != nil {
		// The error quotes the URL, which holds no credential (New
		// refuses user information and queries), never the body.
		if wrote.Load() {
			return unsure, false, fmt.Errorf("notify: huaweicloud: no answer after the request was written, the message may have been sent: %w", err)
		}
		return refused, ctx.Err() == nil, fmt.Errorf("notify: huaweicloud: request not sent: %w", err)
	}
	defer resp.Body.Close()
	b, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if readErr == nil && len(b) > maxAnswer {
		readErr = errors.New("answer too long")
	}
	res, why := judge(resp.StatusCode, b, readErr, m.To, n.scrubber(m, header, digest))
	if res == sent {
		return sent, false, nil
	}
	return res, false, errors.New("notify: huaweicloud: " + why)
}

// digitRun is a run of digits, perhaps after a "+", with at most one
// space, '-' or '.' between two digits, and parentheses around them:
// "13612345678", "136 1234 5678", "+86-136-1234-5678", "+86 (136) 1234.5678".
var digitRun = regexp.MustCompile(`\+?[0-9](?:\)?[\s.\-]?\(?[0-9])*`)

// scrubber returns a function that makes the service's text fit for an
// error: without the app secret and key, this request's X-WSSE header and
// its digest (as sent or URL-encoded: a proxy may echo them), without the
// code, the number in any form (E.164, its national number, and any run
// of seven or more digits, separators between them or not), without
// control characters, and short. Shorter runs, such as an error code,
// stay.
func (n *Notifier) scrubber(m delivery.Message, header, digest string) func(string) string {
	var secrets []string
	for _, x := range []string{header, n.cfg.AppSecret, digest, n.cfg.AppKey} {
		secrets = append(secrets, x, url.QueryEscape(x), url.PathEscape(x))
	}
	secrets = append(secrets, m.To, strings.TrimPrefix(m.To, "+"), m.Code)
	// The number's national forms: its digits after a country code of 1
	// to 3 digits, with or without a trunk prefix 0.
	national := map[string]bool{}
	if isE164(m.To) {
		digits := m.To[1:]
		for k := 1; k <= 3 && len(digits)-k >= 4; k++ {
			national[digits[k:]], national["0"+digits[k:]] = true, true
		}
	}
	return func(s string) string {
		for _, x := range secrets {
			if x != "" {
				s = strings.ReplaceAll(s, x, "[redacted]")
			}
		}
		s = digitRun.ReplaceAllStringFunc(s, func(run string) string {
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, run)
			if len(digits) >= 7 || national[digits] {
				return "[redacted]"
			}
			return run
		})
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)
		if r := []rune(s); len(r) > 200 {
			s = string(r[:200]) + "…"
		}
		return s
	}
}

// isE164 reports whether to is "+" and 2 to 20 digits, the first not 0
// (the API takes up to 21 characters a number).
func isE164(to string) bool {
	return len(to) >= 3 && len(to) <= 21 && to[0] == '+' && to[1] != '0' && onlyDigits(to[1:])
}
