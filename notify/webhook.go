package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vcodekit/vcode/verifier"
)

// SignatureHeader carries the webhook signature:
//
//	X-Vcode-Signature: t=1764064800,v1=5257a869...
//
// where v1 is the hex HMAC-SHA256, under the shared secret, of the decimal
// timestamp, a dot, and the raw request body: the scheme payment webhooks
// use. The timestamp is signed with the body, so a receiver that refuses old
// timestamps (VerifySignature does, beyond its tolerance) cannot be fed a
// replayed request later; within the tolerance, deduplicate on request_id
// if a replay matters.
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
	URL string
	// Secret signs each request; at least 16 bytes.
	Secret []byte
	// Timeout bounds each attempt (default 5 s).
	Timeout time.Duration
	// Retries is how many times a failed attempt is repeated (default 2;
	// negative for none). Network errors and 5xx answers are retried, with
	// Backoff doubling between attempts (default 200 ms); 4xx answers are
	// not, as repeating the request cannot fix it.
	Retries int
	Backoff time.Duration
	// Client sends the requests (default: a client of its own).
	Client *http.Client
}

// Webhook delivers codes by POSTing signed JSON to a URL: the way to connect
// any SMS gateway, or a service of the host's own. The body is
//
//	{"channel":"sms","to":"+8613612345678","code":"753927","text":"...",
//	 "subject":"...","language":"zh-CN","expires_at":"2026-11-25T10:01:00Z",
//	 "request_id":"..."}
//
// Any 2xx answer means delivered.
type Webhook struct {
	cfg    WebhookConfig
	client *http.Client
	now    func() time.Time
}

var _ verifier.Notifier = (*Webhook)(nil)

// NewWebhook checks cfg and returns a Webhook.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("notify: webhook URL %q is not absolute", cfg.URL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("notify: webhook URL must be https (http only on loopback), got %s://", u.Scheme)
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("notify: webhook secret must be at least 16 bytes")
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
	client := cfg.Client
	if client == nil {
		client = &http.Client{}
	}
	return &Webhook{cfg: cfg, client: client, now: time.Now}, nil
}

type webhookBody struct {
	Channel   verifier.Channel `json:"channel"`
	To        string           `json:"to"`
	Code      string           `json:"code"`
	Text      string           `json:"text"`
	Subject   string           `json:"subject,omitempty"`
	Language  string           `json:"language"`
	ExpiresAt time.Time        `json:"expires_at"`
	RequestID string           `json:"request_id"`
}

// Notify implements verifier.Notifier.
func (w *Webhook) Notify(ctx context.Context, m verifier.Message) error {
	body, err := json.Marshal(webhookBody{
		Channel: m.Channel, To: m.To, Code: m.Code, Text: m.Text, Subject: m.Subject,
		Language: m.Language.String(), ExpiresAt: m.ExpiresAt.UTC(), RequestID: m.RequestID,
	})
	if err != nil {
		return err
	}
	backoff := w.cfg.Backoff
	var last error
	for attempt := 0; ; attempt++ {
		retry, err := w.post(ctx, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry || attempt >= w.cfg.Retries {
			return last
		}
		select {
		case <-ctx.Done():
			return errors.Join(last, ctx.Err())
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// post makes one attempt and says whether a failure is worth retrying.
func (w *Webhook) post(ctx context.Context, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vcode-webhook/1")
	req.Header.Set(SignatureHeader, Sign(w.cfg.Secret, w.now(), body))
	resp, err := w.client.Do(req)
	if err != nil {
		// The error may quote the URL; it never holds the body.
		return true, fmt.Errorf("notify: webhook: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("notify: webhook answered %s", resp.Status)
	default:
		return false, fmt.Errorf("notify: webhook answered %s", resp.Status)
	}
}

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
)

// VerifySignature checks a SignatureHeader value for a received body, for
// receivers written in Go: the signature must match (compared in constant
// time) and its timestamp lie within tolerance of now, either way
// (DefaultTolerance when tolerance is zero). Several v1 entries are
// accepted, one of which must match, for receivers rotating secrets on the
// sending side.
func VerifySignature(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
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
