package httpmw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/verifier"
)

// The two routes, as in the published API.
const (
	SendPath   = "/v1/usg/dcs/member/verification-code"
	VerifyPath = "/v1/usg/dcs/member/verification-code/verify"
)

// DefaultMaxBodyBytes is the default request body limit.
const DefaultMaxBodyBytes = 4 << 10

// Handler serves the send and verify endpoints. Create it with New.
type Handler struct {
	v             *verifier.Verifier
	auth          Authenticator
	subjectOf     func(*http.Request) (string, error) // WithSubject
	purpose       string                              // WithPurpose
	onVerified    func(*http.Request, string, contact.Contact) error
	beforeSend    func(*http.Request, string, contact.Contact) error // WithBeforeSend
	channels      []delivery.Channel                                 // WithChannels; nil for any
	onlyKey       i18n.Key                                           // the message of a contact WithChannels refuses, "" when it takes both
	route         string                                             // WithRoute
	log           *slog.Logger
	maxBody       int64
	publishedOnly bool
	sendTimes     bool // WithSendTimes
	trusted       []netip.Prefix
	trust         func(*http.Request, string) bool // WithTrust
	observer      RequestObserver
	crossOrigin   *http.CrossOriginProtection // WithTrustedOrigins, WithCrossOriginProtection
	standalone    http.Handler                // Middleware(NotFound), built once for ServeHTTP
	catalog       *i18n.Catalog
	// contentLanguage holds a Content-Language value per language of the
	// catalog, shared by every response: the slices are never written to.
	// A catalog has a few languages: a scan is cheaper than hashing a Tag.
	contentLanguage []tagHeader
}

// RequestEvent describes one served request, for metrics.
type RequestEvent struct {
	// Route is "send" or "verify".
	Route string
	// RouteName is the Handler's name (WithRoute), empty when it has
	// none; Purpose is its purpose (WithPurpose). Both are the host's
	// constants, given to New, never request data.
	RouteName, Purpose string
	// Status is the HTTP status answered; ErrorCode the USG code, empty on
	// success.
	Status    int
	ErrorCode string
	// Latency is the time from the request's arrival to the answer.
	Latency time.Duration
}

// RequestObserver receives a RequestEvent for every request to the two
// routes, synchronously: it must be quick and safe for concurrent use.
// prommetrics has a Prometheus implementation.
type RequestObserver interface {
	ObserveRequest(ctx context.Context, e RequestEvent)
}

// New returns a Handler serving v's send and verify endpoints, checking
// each request's X-Access-Token with auth (the published API's way), or
// finding the subject with WithSubject and a nil auth.
func New(v *verifier.Verifier, auth Authenticator, opts ...Option) (*Handler, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(v, auth); err != nil {
		return nil, err
	}
	h := &Handler{
		v:             v,
		auth:          auth,
		subjectOf:     or(o.subjectOf, nil),
		purpose:       o.purpose,
		onVerified:    or(o.onVerified, nil),
		beforeSend:    or(o.beforeSend, nil),
		route:         or(o.route, ""),
		log:           or(o.log, slog.New(slog.DiscardHandler)),
		maxBody:       or(o.maxBody, DefaultMaxBodyBytes),
		publishedOnly: o.publishedOnly,
		sendTimes:     o.sendTimes,
		trust:         or(o.trust, nil),
		observer:      o.observer,
	}
	if o.channels != nil {
		h.channels = *o.channels
		h.onlyKey = onlyKey(h.channels)
	}
	for _, c := range o.trusted {
		p, _ := netip.ParsePrefix(c)
		h.trusted = append(h.trusted, p.Masked())
	}
	h.crossOrigin = or(o.crossOrigin, nil)
	if h.crossOrigin == nil {
		h.crossOrigin = http.NewCrossOriginProtection()
		for _, origin := range o.origins {
			h.crossOrigin.AddTrustedOrigin(origin) // checked by New
		}
	}
	h.catalog = v.Catalog()
	for _, l := range h.catalog.Languages() {
		h.contentLanguage = append(h.contentLanguage, tagHeader{l, []string{l.String()}})
	}
	h.standalone = h.Middleware(http.NotFoundHandler())
	return h, nil
}

// ServeHTTP serves the two routes at the published paths, SendPath and
// VerifyPath: POST only (other methods get 405 with Allow), and 404 for
// every other path. To serve under a prefix, strip it:
//
//	mux.Handle("/api/", http.StripPrefix("/api", h))
//
// To serve the endpoints on paths of your own, mount SendHandler and
// VerifyHandler instead.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.standalone.ServeHTTP(w, r)
}

// SendHandler returns the send endpoint alone, to mount on any path:
//
//	mux.Handle("POST /auth/otp/send", h.SendHandler())
//
// It answers whatever path it is given; a method other than POST gets 405.
func (h *Handler) SendHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, false) })
}

// VerifyHandler returns the verify endpoint alone, to mount on any path,
// as SendHandler does.
func (h *Handler) VerifyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, true) })
}

// Middleware returns a handler that serves the two routes and passes every
// other request to next, so vcode can sit in front of a host's own mux.
func (h *Handler) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var verify bool
		switch r.URL.Path {
		case SendPath:
		case VerifyPath:
			verify = true
		default:
			next.ServeHTTP(w, r)
			return
		}
		h.serve(w, r, verify)
	})
}

// tagHeader is a language and its Content-Language value.
type tagHeader struct {
	tag   language.Tag
	value []string
}

// contentLanguageOf is the Content-Language value for lang, one of the
// catalog's languages (Negotiate's answer).
func (h *Handler) contentLanguageOf(lang language.Tag) []string {
	for _, th := range h.contentLanguage {
		if th.tag == lang {
			return th.value
		}
	}
	return nil
}

// call is the state of one request.
type call struct {
	id      string
	lang    language.Tag
	verify  bool
	contact contact.Contact
	sent    verifier.Sent // a send's, for WithSendTimes
	err     error
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, verify bool) {
	start := time.Now()
	c := &call{verify: verify}
	hdr := w.Header()
	c.id, hdr["X-Request-Id"] = requestID(headerValue(r.Header, "X-Request-Id"))
	hdr["Cache-Control"] = headerNoCache
	hdr["Pragma"] = headerNoCache
	if r.Method != http.MethodPost {
		hdr["Allow"] = headerPost
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		h.logCall(r.Context(), c, http.StatusMethodNotAllowed, "", start)
		return
	}
	c.lang = h.catalog.Negotiate(headerValue(r.Header, "Accept-Language"))
	hdr["Content-Language"] = h.contentLanguageOf(c.lang)

	status, code := http.StatusOK, ""
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			c.err = fmt.Errorf("httpmw: panic: %v\n%s", p, debug.Stack())
			status, code = h.writeError(w, c, c.err)
		}
		h.logCall(r.Context(), c, status, code, start)
	}()

	c.err = h.handle(r, c)
	if c.err != nil {
		status, code = h.writeError(w, c, c.err)
		return
	}
	if h.sendTimes && !c.verify {
		hdr["Content-Type"] = headerJSON
		w.WriteHeader(http.StatusOK)
		w.Write(appendSendTimes(make([]byte, 0, 80), c.sent))
		return
	}
	w.WriteHeader(http.StatusOK)
}

// appendSendTimes appends WithSendTimes's body for s.
func appendSendTimes(b []byte, s verifier.Sent) []byte {
	next := s.NextSendAt.UTC()
	if t := next.Truncate(time.Second); t.Before(next) {
		next = t.Add(time.Second)
	}
	b = append(b, `{"expires_at":"`...)
	b = s.ExpiresAt.UTC().Truncate(time.Second).AppendFormat(b, time.RFC3339)
	b = append(b, `","next_send_at":"`...)
	b = next.AppendFormat(b, time.RFC3339)
	return append(b, `"}`...)
}

// subject finds who asks: WithSubject's function, or the X-Access-Token
// through the Authenticator. An empty subject is not an identity: 401.
func (h *Handler) subject(r *http.Request) (string, error) {
	var subject string
	var err error
	if h.subjectOf != nil {
		subject, err = h.subjectOf(r)
	} else if token := headerValue(r.Header, "X-Access-Token"); token == "" {
		return "", ErrUnauthenticated
	} else {
		subject, err = h.auth.Authenticate(r, token)
	}
	switch {
	case err != nil && (errors.Is(err, ErrUnauthenticated) || errors.Is(err, ErrForbidden)):
		return "", err
	case err != nil:
		return "", fmt.Errorf("httpmw: authenticator: %w", err)
	case subject == "":
		return "", ErrUnauthenticated
	}
	return subject, nil
}

// handle checks the request's origin, authenticates, decodes and runs
// the request.
func (h *Handler) handle(r *http.Request, c *call) error {
	if err := crossOrigin(h.crossOrigin, r); err != nil {
		return err
	}
	subject, err := h.subject(r)
	if err != nil {
		return err
	}
	body, err := readBody(r, h.maxBody)
	if err != nil {
		return err
	}
	req := verifier.Request{
		Contact:   body.contact,
		Country:   body.country,
		Subject:   subject,
		Purpose:   h.purpose,
		Language:  c.lang,
		ClientIP:  clientIP(r, h.trusted),
		RequestID: c.id,
		Channels:  h.channels,
	}
	ctx := r.Context()
	if !c.verify {
		if h.beforeSend != nil {
			if err := h.checkBeforeSend(r, subject, req, c); err != nil {
				return err
			}
		}
		req.Trusted = h.trust != nil && h.trust(r, subject)
		sent, err := h.v.Send(ctx, req)
		c.contact, c.sent = sent.Contact, sent
		return err
	}
	c.contact, err = h.v.Verify(ctx, req, body.code)
	if err == nil && h.onVerified != nil {
		if err = h.onVerified(r, subject, c.contact); err != nil {
			err = &hookError{"WithVerified", err}
		}
	}
	return err
}

// checkBeforeSend parses req's contact as Send will and asks
// WithBeforeSend's hook about it.
func (h *Handler) checkBeforeSend(r *http.Request, subject string, req verifier.Request, c *call) error {
	ct, err := h.v.Parse(req)
	c.contact = ct
	if err != nil {
		return err
	}
	if err := h.beforeSend(r, subject, ct); err != nil {
		return &hookError{"WithBeforeSend", err}
	}
	return nil
}

// onlyKey is the message for a contact that channels refuse: the one
// channel they accept; "" when they accept both.
func onlyKey(channels []delivery.Channel) i18n.Key {
	sms, email := slices.Contains(channels, delivery.SMS), slices.Contains(channels, delivery.Email)
	switch {
	case sms && !email:
		return i18n.PhoneOnly
	case email && !sms:
		return i18n.EmailOnly
	}
	return ""
}

func (h *Handler) writeError(w http.ResponseWriter, c *call, err error) (int, string) {
	if he, ok := err.(*hookError); ok {
		status, code, msg, bad, ok := hostAnswer(he, h.catalog, c.lang)
		if ok && bad == nil {
			h.writeHostError(w, c, status, code, msg)
			return status, code
		}
		if bad != nil {
			c.err, err = bad, bad
		}
	}
	spec := specFor(err)
	if spec.Message == i18n.NotAllowed && h.refusedChannel(c.contact) {
		spec.Message = h.onlyKey
	}
	status := spec.Status
	if rl := rateLimitError(err); rl != nil {
		w.Header()["Retry-After"] = retryAfter(retrySeconds(rl.RetryAfter))
		if h.publishedOnly {
			status = http.StatusBadRequest
		}
	}
	buf := errorBuffers.Get().(*[]byte)
	defer errorBuffers.Put(buf)
	body := appendErrorJSON((*buf)[:0], h.catalog, spec, c.lang, c.id)
	*buf = body
	// net/http adds Content-Length: the body is written whole, at once.
	w.Header()["Content-Type"] = headerJSON
	w.WriteHeader(status)
	w.Write(body)
	return status, spec.Code
}

// refusedChannel says whether WithChannels refuses ct's kind.
func (h *Handler) refusedChannel(ct contact.Contact) bool {
	switch h.onlyKey {
	case i18n.EmailOnly:
		return ct.Kind == contact.Phone
	case i18n.PhoneOnly:
		return ct.Kind == contact.Email
	}
	return false
}

// writeHostError writes a HostError's answer.
func (h *Handler) writeHostError(w http.ResponseWriter, c *call, status int, code, msg string) {
	b := append(make([]byte, 0, 64+len(code)+len(msg)), `{"error_code":`...)
	b = appendJSONString(b, code)
	b = append(b, `,"error_msg":`...)
	b = appendJSONString(b, msg)
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, c.id)
	b = append(b, '}')
	w.Header()["Content-Type"] = headerJSON
	w.WriteHeader(status)
	w.Write(b)
}

// Constant header values, shared by every response: the slices are never
// written to (Header.Set replaces a slice; Header.Add appends past its
// length-one capacity, which copies), and sharing them saves an allocation
// per header per request.
var (
	headerNoCache = []string{"no-cache"}
	headerPost    = []string{http.MethodPost}
	headerJSON    = []string{"application/json;charset=UTF-8"}
)

// errorBuffers recycles error bodies: Write copies them out.
var errorBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// rateLimitError is errors.As for a *verifier.RateLimitError; the error
// the verifier returns is the pointer itself, found without errors.As's
// target escaping to the heap on every refusal.
func rateLimitError(err error) *verifier.RateLimitError {
	if rl, ok := err.(*verifier.RateLimitError); ok {
		return rl
	}
	var rl *verifier.RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	return nil
}

// retryAfterValues holds the Retry-After header values of the first
// minutes, shared as the constant headers are: the default limits' waits.
var retryAfterValues = func() [][]string {
	vs := make([][]string, 3601)
	for i := range vs {
		vs[i] = []string{strconv.Itoa(i)}
	}
	return vs
}()

// retryAfter is the header value for s seconds.
func retryAfter(s int64) []string {
	if s >= 0 && s < int64(len(retryAfterValues)) {
		return retryAfterValues[s]
	}
	return []string{strconv.FormatInt(s, 10)}
}

// retrySeconds rounds up to whole seconds, at least one: a client told
// "0" would come straight back.
func retrySeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

func (h *Handler) logCall(ctx context.Context, c *call, status int, code string, start time.Time) {
	end := time.Now()
	latency := end.Sub(start)
	route := "send"
	if c.verify {
		route = "verify"
	}
	if h.observer != nil {
		h.observer.ObserveRequest(ctx, RequestEvent{Route: route, RouteName: h.route, Purpose: h.purpose, Status: status, ErrorCode: code, Latency: latency})
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !h.log.Enabled(ctx, level) {
		return
	}
	var attrBuf [7]slog.Attr
	attrs := append(attrBuf[:0],
		slog.String("request_id", c.id),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("latency", latency),
	)
	if code != "" {
		attrs = append(attrs, slog.String("error_code", code))
	}
	if c.contact.Kind != 0 {
		attrs = append(attrs, slog.String("contact", c.contact.Masked()))
	}
	if status >= 500 && c.err != nil {
		// A backend's message may quote the destination (an SMTP reply
		// naming the mailbox): mask it.
		msg := c.err.Error()
		if c.contact.Value != "" {
			msg = strings.ReplaceAll(msg, c.contact.Value, c.contact.Masked())
		}
		attrs = append(attrs, slog.String("error", msg))
	}
	// The record is made here rather than by Logger.LogAttrs, which would
	// read the clock again and walk the stack for the caller's PC on every
	// request: the time is the answer's, and the PC, the same for every
	// request, is found once.
	r := slog.NewRecord(end, level, "vcode request", logCallPC())
	r.AddAttrs(attrs...)
	h.log.Handler().Handle(ctx, r) // as Logger does, the error is the handler's to report
}

// logPC is the program counter logCall's records carry for a handler's
// source (slog.HandlerOptions.AddSource): logCall's own.
var logPC atomic.Uintptr

// logCallPC is logPC, found on the first call.
func logCallPC() uintptr {
	if pc := logPC.Load(); pc != 0 {
		return pc
	}
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:]) // skip Callers and logCallPC: logCall's frame
	logPC.Store(pcs[0])
	return pcs[0]
}
