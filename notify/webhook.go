package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vcodekit/vcode/delivery"
)

// SignatureHeader carries the webhook signature:
//
//	X-Vcode-Signature: t=1764064800,v1=5257a869...
//
// where v1 is the hex HMAC-SHA256, under the shared secret, of the decimal
// timestamp, a dot, and the raw request body: the scheme payment webhooks
// use. The timestamp is signed with the body, so a receiver that refuses old
// timestamps (VerifySignature does, beyond its tolerance) cannot be fed a
// replayed request later; within the tolerance, receivers deduplicate on
// the body's message_id.
const SignatureHeader = "X-Vcode-Signature"

// Webhook defaults.
const (
	DefaultWebhookTimeout = 5 * time.Second
	DefaultWebhookRetries = 2
	DefaultWebhookBackoff = 200 * time.Millisecond
	DefaultTolerance      = 5 * time.Minute
)

// WebhookConfig configures a Webhook.
type WebhookConfig struct {
	// URL receives a POST per message. http is allowed only for loopback
	// hosts; anything else must be https, since the body holds the code.
	// Credentials in its user info or query (?apikey=) never appear in
	// errors or logs: they show as "redacted". The path is shown as it
	// is, so keep secrets out of it (a /bot<TOKEN>/ path is logged).
	URL string
	// Secret signs each request; at least 16 bytes.
	Secret []byte
	// Timeout bounds each attempt (default 5 s).
	Timeout time.Duration
	// Retries is how many times a failed attempt is repeated (default 2;
	// negative for none), with Backoff doubling between attempts (default
	// 200 ms). Only attempts that did not deliver are repeated: those that
	// failed before the request was written, and 5xx answers (the retry
	// carries the same message_id, so a receiver deduplicates it). An
	// attempt that timed out or broke after the request was written may
	// have delivered, so it is never repeated; 3xx and 4xx answers are
	// not either, as repeating cannot fix them.
	Retries int
	Backoff time.Duration
	// Client sends the requests (default: a client with a transport of its
	// own, which Close shuts). Redirects are never followed, whatever its
	// CheckRedirect says: a 3xx answer is a refusal, since following it
	// would hand the signed code to another URL (perhaps over plain HTTP).
	// A caller's client is the caller's to close.
	Client *http.Client
}

// Webhook delivers codes by POSTing signed JSON to a URL: the way to connect
// any SMS gateway, or a service of the host's own. The body is
//
//	{"message_id":"9f86d081884c7d65...","channel":"sms","to":"+8613612345678",
//	 "code":"753927","text":"...","subject":"...","language":"zh-CN",
//	 "expires_at":"2026-11-25T10:01:00Z","request_id":"..."}
//
// message_id is drawn by the sender for each message (32 hex digits) and
// stays the same across retries: receivers deduplicate on it. request_id
// is the client's X-Request-Id, for tracing only: clients choose it, so it
// is neither unique nor trustworthy.
//
// Any 2xx answer means delivered. A failure is reported as
// delivery.Undelivered (limits given back) only when the receiver
// certainly did not take the message: every attempt failed before its
// request was written, or was answered 3xx or 4xx. A timeout or a broken
// connection after the request was written, or 5xx answers to the last
// retry, may have delivered, and are reported as ambiguous.
type Webhook struct {
	cfg    WebhookConfig
	client *http.Client
	now    func() time.Time
}

var _ delivery.Notifier = (*Webhook)(nil)

// NewWebhook checks cfg and returns a Webhook.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, errors.New("notify: webhook URL is not an absolute URL")
	}
	if strings.Contains(u.Path, "@") || strings.Contains(u.RawQuery, "@") || u.Fragment != "" || strings.Contains(cfg.URL, "#") {
		// https://user:pa/ss@host/ parses as host "user", port "pa"
		// (and https://user:pa#ss@host/ too, the rest a fragment): the
		// code would go elsewhere, and errors would quote "ss".
		return nil, errors.New("notify: webhook URL has an '@' after its host, or a '#': percent-encode special characters in a user name or password")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("notify: webhook URL port is not 1 to 65535")
		}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("notify: webhook URL must be https (http only on loopback), got %s://", u.Scheme)
	}
	if len(cfg.Secret) < minSecretLength {
		return nil, fmt.Errorf("notify: webhook secret must be at least %d bytes", minSecretLength)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultWebhookTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultWebhookRetries
	}
	cfg.Retries = max(cfg.Retries, 0)
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultWebhookBackoff
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Of an answer, at most 64 KiB of headers and 4 KiB of body are read
	// (net/http's default for headers is 10 MiB).
	transport.MaxResponseHeaderBytes = maxAnswerHeader
	client := &http.Client{Transport: transport}
	if cfg.Client != nil {
		c := *cfg.Client // the caller's client is left as it is
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Webhook{cfg: cfg, client: client, now: time.Now}, nil
}

// Close closes the idle connections of the Webhook's own transport, so that
// no goroutine of it outlives its use (with a Client of the caller's, it
// closes that client's idle connections). The Webhook stays usable: a
// later Notify dials again. It always returns nil.
func (w *Webhook) Close() error {
	w.client.CloseIdleConnections()
	return nil
}

// minSecretLength is the shortest signing secret accepted on either side.
const minSecretLength = 16

type webhookBody struct {
	MessageID string           `json:"message_id"`
	Channel   delivery.Channel `json:"channel"`
	To        string           `json:"to"`
	Code      string           `json:"code"`
	Text      string           `json:"text"`
	Subject   string           `json:"subject,omitempty"`
	Language  string           `json:"language"`
	ExpiresAt time.Time        `json:"expires_at"`
	RequestID string           `json:"request_id"`
}

// attempt is what one POST did.
type attempt int

const (
	delivered attempt = iota
	notSent           // certainly not taken: never written, or 3xx/4xx
	maybeSent         // written, then no answer; or a 5xx
)

// Notify implements delivery.Notifier.
func (w *Webhook) Notify(ctx context.Context, m delivery.Message) error {
	var id [16]byte
	rand.Read(id[:])
	body, err := json.Marshal(webhookBody{
		MessageID: hex.EncodeToString(id[:]),
		Channel:   m.Channel, To: m.To, Code: m.Code, Text: m.Text, Subject: m.Subject,
		Language: m.Language.String(), ExpiresAt: m.ExpiresAt.UTC(), RequestID: m.RequestID,
	})
	if err != nil {
		return delivery.Undelivered(err)
	}
	backoff := w.cfg.Backoff
	ambiguous := false
	for n := 0; ; n++ {
		res, again, err := w.post(ctx, body)
		if res == delivered {
			return nil
		}
		ambiguous = ambiguous || res == maybeSent
		if !again || n >= w.cfg.Retries {
			return w.verdict(ambiguous, err)
		}
		select {
		case <-ctx.Done():
			return w.verdict(ambiguous, errors.Join(err, ctx.Err()))
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// verdict marks err certain unless an attempt may have delivered.
func (w *Webhook) verdict(ambiguous bool, err error) error {
	if ambiguous {
		return err
	}
	return delivery.Undelivered(err)
}

// post makes one attempt, and says whether it may be repeated: after a
// failure before the request was written, and after a 5xx (the receiver
// deduplicates on message_id); never after one that may have delivered
// otherwise, nor after a refusal, which repeating cannot fix.
func (w *Webhook) post(ctx context.Context, body []byte) (res attempt, again bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return notSent, false, fmt.Errorf("notify: webhook: %w", redactURLError(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vcode-webhook/1")
	req.Header.Set(SignatureHeader, Sign(w.cfg.Secret, w.now(), body))
	resp, err := w.client.Do(req)
	if err != nil {
		// The error quotes the URL, redacted; it never holds the body.
		err = fmt.Errorf("notify: webhook: %w", redactURLError(err))
		if wrote.Load() {
			return maybeSent, false, err
		}
		return notSent, true, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	err = fmt.Errorf("notify: webhook answered %s", resp.Status)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return delivered, false, nil
	case resp.StatusCode >= 500:
		return maybeSent, true, err
	case resp.StatusCode == http.StatusSeeOther:
		// 303 See Other is how some services answer a POST they have
		// processed: it may have been taken.
		return maybeSent, false, err
	default:
		// 1xx, the other 3xx (never followed) and 4xx: the receiver did
		// not take it.
		return notSent, false, err
	}
}

// redactURLError removes credentials from the URL a *url.Error quotes:
// user info and the query (?apikey=...) become "redacted".
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = delivery.RedactURL(ue.URL)
	}
	return err
}

// RedactURL is delivery.RedactURL: raw with its user info and query
// replaced by "redacted" and its fragment dropped, for errors and logs.
func RedactURL(raw string) string { return delivery.RedactURL(raw) }

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(signature(secret, ts, body))
}

func signature(secret []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// Errors of VerifySignature.
var (
	ErrBadSignature = errors.New("notify: webhook signature does not match")
	ErrStale        = errors.New("notify: webhook timestamp outside the tolerance")
	// ErrWeakSecret: the receiver's secret is shorter than 16 bytes, most
	// likely an unset environment variable. Every request is refused
	// rather than checked against a secret an attacker can guess.
	ErrWeakSecret = errors.New("notify: webhook secret shorter than 16 bytes")
)

// VerifySignature checks a SignatureHeader value for a received body, for
// receivers written in Go: the signature must match (compared in constant
// time) and its timestamp lie within tolerance of now, either way
// (DefaultTolerance when tolerance is zero). Several v1 entries are
// accepted, one of which must match, for receivers rotating secrets on the
// sending side. A secret shorter than 16 bytes is refused with
// ErrWeakSecret, whatever the header.
func VerifySignature(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if len(secret) < minSecretLength {
		return ErrWeakSecret
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	want := signature(secret, ts, body)
	match := false
	for _, s := range sigs {
		match = hmac.Equal(s, want) || match
	}
	if !match {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// maxAnswerHeader bounds the headers of an answer the webhook reads.
const maxAnswerHeader = 64 << 10
