// Package twiliotest is a fake of Twilio's Messages API on loopback, for
// tests of code that sends SMS through package twilio: it plays the
// documented contract of creating a Message resource
// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource)
// and nothing else.
//
// It checks each request as Twilio does: HTTP Basic authentication with
// the Account SID and auth token, or an API key and its secret
// (https://www.twilio.com/docs/usage/requests-to-twilio); POST to
// /2010-04-01/Accounts/{AccountSid}/Messages.json; a form-encoded body
// with To (E.164), From or MessagingServiceSid, and Body. It answers with
// Twilio's JSON: 201 and the Message resource, or an exception
// {"code":21211,"message":"...","more_info":"https://www.twilio.com/docs/errors/21211","status":400}
// (https://www.twilio.com/docs/usage/twilios-response). A request that
// breaks the contract is answered as Twilio would answer it, and recorded
// in Problems for the test to fail on.
//
// Messages records every well-formed request the server did not refuse:
// those it accepted, and those after which a real message may have gone
// out all the same (ServerError, Hang, MalformedSuccess); Received.Answer
// tells them apart. Refusals record nothing.
//
// NewServer starts a server for a test, closed when the test ends; Start
// and Close do the same outside tests (examples, a development server).
// Account and URL point a Notifier at the server:
// twilio.New(twilio.Account(fake.Account()), twilio.WithAPIURL(fake.URL())).
package twiliotest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// The account the server plays. Twilio's SIDs are two letters and 32 hex
// digits; auth tokens and API key secrets are 32 letters and digits.
const (
	AccountSID          = "AC0123456789abcdef0123456789abcdef"
	AuthToken           = "f00df00df00df00df00df00df00df00d"
	APIKey              = "SK0123456789abcdef0123456789abcdef"
	APISecret           = "s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tXY"
	From                = "+15005550006" // Twilio's valid test sender
	MessagingServiceSID = "MG0123456789abcdef0123456789abcdef"
)

// Answer is how the server answers a well-formed request.
type Answer int

// The answers, each Twilio's documented one.
const (
	// Accept answers 201 Created with the Message resource, status
	// "queued" ("accepted" through a Messaging Service without From).
	Accept Answer = iota
	// RejectInvalidNumber answers 400, error 21211 (Invalid 'To' Phone
	// Number), quoting the number as Twilio does.
	RejectInvalidNumber
	// RejectNotMobile answers 400, error 21614 ('To' number is not a
	// valid mobile number).
	RejectNotMobile
	// RejectRegion answers 400, error 21408 (permission to send an SMS
	// has not been enabled for the region).
	RejectRegion
	// RejectUnsubscribed answers 400, error 21610 (attempt to send to an
	// unsubscribed recipient).
	RejectUnsubscribed
	// Throttle answers 429 Too Many Requests, error 20429.
	Throttle
	// AuthFailure answers 401, error 20003 (Authenticate), whatever the
	// credentials.
	AuthFailure
	// ServerError answers 500, error 20500 (Internal Server Error). The
	// message is recorded: Twilio may have created it.
	ServerError
	// Hang records the message, then never answers, until the client
	// gives up or the server closes.
	Hang
	// MalformedSuccess answers 201 with a body that is not JSON: a
	// message that was created (and is recorded), and an answer that
	// cannot be read.
	MalformedSuccess
)

// Received is a message the server recorded: one it accepted (Answer is
// Accept), or one that may have gone out although the answer said
// otherwise or never came (ServerError, Hang, MalformedSuccess).
type Received struct {
	// SID is the Message SID the server gave it (SM...).
	SID string
	// Answer is how the server answered the request.
	Answer Answer
	// To, From, MessagingServiceSID and Text are the To, From,
	// MessagingServiceSid and Body fields as received.
	To, From, MessagingServiceSID, Text string
	// Code is the last run of 4 to 8 digits in Text, not counting digits
	// that are part of a longer run: vcode's texts put the code after the
	// brand (which may hold digits of its own, "[Shop 24/7 No.123456]")
	// and before a validity of fewer digits ("1 minute", "10分钟"). Empty
	// when Text has no such run.
	Code string
	// Username is the Basic authentication user: AccountSID or APIKey.
	Username string
	// UserAgent is the request's, such as "twilio-go/1.31.0 (linux
	// amd64) go/go1.26.8".
	UserAgent string
	// Form is the form as received.
	Form url.Values
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey makes Account give the API key and its secret instead of the
// auth token. The server accepts both credentials either way, as Twilio
// does.
func WithAPIKey() Option { return func(s *Server) { s.useKey = true } }

// WithMessagingService makes Account give the Messaging Service instead of
// From. The server accepts either sender either way.
func WithMessagingService() Option { return func(s *Server) { s.useService = true } }

// Server is a running fake of the Messages API.
type Server struct {
	srv        *httptest.Server
	done       chan struct{}
	closeOnce  sync.Once
	useKey     bool
	useService bool

	mu       sync.Mutex
	answer   Answer
	requests int
	messages []Received
	problems []string
}

// NewServer starts a Server on 127.0.0.1, closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server on 127.0.0.1 for code without a testing.TB (an
// example, a development server); Close stops it.
func Start(opts ...Option) *Server {
	s := &Server{done: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close releases the requests Hang holds and stops the server. Calling it
// again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// URL is the server's base URL, for twilio.WithAPIURL.
func (s *Server) URL() string { return s.srv.URL }

// Account holds the values of a twilio.Account, field for field, so that
// twilio.Account(fake.Account()) converts it; the fake imports nothing of
// package twilio, which sits above it.
type Account struct {
	SID                 string
	AuthToken           string
	APIKey, APISecret   string
	From                string
	MessagingServiceSID string
}

// Account is the account the server accepts: AccountSID with AuthToken
// (or APIKey and APISecret, WithAPIKey), sending from From (or through
// MessagingServiceSID, WithMessagingService).
func (s *Server) Account() Account {
	a := Account{SID: AccountSID}
	if s.useKey {
		a.APIKey, a.APISecret = APIKey, APISecret
	} else {
		a.AuthToken = AuthToken
	}
	if s.useService {
		a.MessagingServiceSID = MessagingServiceSID
	} else {
		a.From = From
	}
	return a
}

// SetAnswer sets how well-formed requests are answered from now on.
func (s *Server) SetAnswer(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = a
}

// Requests returns how many requests arrived, well-formed or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Messages returns the messages recorded, oldest first: accepted, or
// answered with ServerError, Hang or MalformedSuccess.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// LastCode returns the Code of the last message recorded for to (see
// Received.Code), whatever the answer.
func (s *Server) LastCode(to string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.messages) - 1; i >= 0; i-- {
		if s.messages[i].To == to {
			return s.messages[i].Code, true
		}
	}
	return "", false
}

// Problems returns how requests broke the contract, one line each; a
// test fails on any.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

var (
	e164      = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	serviceID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	digitRun  = regexp.MustCompile(`[0-9]+`)
	fields    = []string{"To", "From", "MessagingServiceSid", "Body"}
)

// exception writes Twilio's error body.
func exception(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

// serve checks a request as Twilio would, in Twilio's order, and
// answers it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	n := s.requests
	answer := s.answer
	s.mu.Unlock()

	user, ok := s.authenticate(w, r, n)
	if !ok {
		return
	}
	form, ok := s.readForm(w, r, n)
	if !ok || !s.checkTo(w, form, n) || !s.checkSender(w, form, n) || !s.checkBody(w, form, n) {
		return
	}
	s.respond(w, r, form, user, n, answer)
}

// authenticate checks the Basic credentials and returns the user, or
// answers 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, n int) (string, bool) {
	// Authentication comes first: Twilio answers 401 before looking at
	// anything else.
	user, pass, ok := r.BasicAuth()
	if !ok || !(equal(user, AccountSID) && equal(pass, AuthToken) || equal(user, APIKey) && equal(pass, APISecret)) {
		if ok {
			s.problem("request %d: wrong Basic credentials for user %q", n, user)
		} else {
			s.problem("request %d: no Basic authentication (Authorization: %q)", n, redactAuth(r.Header.Get("Authorization")))
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		exception(w, http.StatusUnauthorized, 20003, "Authenticate")
		return "", false
	}
	return user, true
}

// readForm checks the path, the method and the content type, and returns
// the form, or answers as Twilio does.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, n int) (url.Values, bool) {
	path := "/2010-04-01/Accounts/" + AccountSID + "/Messages.json"
	if r.URL.Path != path {
		s.problem("request %d: path %q, want %q", n, r.URL.Path, path)
		exception(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return nil, false
	}
	if r.Method != http.MethodPost {
		// Twilio would list messages for a GET; a notifier never reads.
		s.problem("request %d: method %s, want POST", n, r.Method)
		exception(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return nil, false
	}
	if r.URL.RawQuery != "" {
		s.problem("request %d: query %q: the fields belong in the body", n, r.URL.RawQuery)
	}
	var form url.Values
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		// Twilio reads the fields from a form only: they are missing.
		s.problem("request %d: Content-Type %q, want application/x-www-form-urlencoded", n, r.Header.Get("Content-Type"))
		form = url.Values{}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.problem("request %d: form: %v", n, err)
			exception(w, http.StatusBadRequest, 20001, "Could not parse the request body")
			return nil, false
		}
		form = r.PostForm
	}
	for k, v := range form {
		if !slices.Contains(fields, k) {
			s.problem("request %d: unexpected field %s", n, k)
		}
		if len(v) > 1 {
			s.problem("request %d: field %s given %d times", n, k, len(v))
		}
	}
	return form, true
}

// checkTo checks the recipient, or answers 400.
func (s *Server) checkTo(w http.ResponseWriter, form url.Values, n int) bool {
	to := form.Get("To")
	switch {
	case to == "":
		s.problem("request %d: no To", n)
		exception(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return false
	case !e164.MatchString(to):
		s.problem("request %d: To %q is not E.164", n, to)
		exception(w, http.StatusBadRequest, 21211, "The 'To' number "+to+" is not a valid phone number.")
		return false
	}
	return true
}

// checkSender checks From or MessagingServiceSid, or answers 400.
func (s *Server) checkSender(w http.ResponseWriter, form url.Values, n int) bool {
	from, service := form.Get("From"), form.Get("MessagingServiceSid")
	switch {
	case from == "" && service == "":
		s.problem("request %d: neither From nor MessagingServiceSid", n)
		exception(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return false
	case from != "" && service != "":
		// Twilio takes From from the service's pool; package twilio
		// sends one or the other.
		s.problem("request %d: both From and MessagingServiceSid", n)
	}
	if from != "" && from != From {
		s.problem("request %d: From %q, want %q", n, from, From)
		exception(w, http.StatusBadRequest, 21606, "The From phone number "+from+" is not a valid, SMS-capable inbound phone number or short code for your account.")
		return false
	}
	if service != "" && !serviceID.MatchString(service) {
		s.problem("request %d: MessagingServiceSid %q is not a SID", n, service)
		exception(w, http.StatusBadRequest, 21705, "The Messaging Service Sid "+service+" is invalid.")
		return false
	}
	if service != "" && service != MessagingServiceSID {
		s.problem("request %d: MessagingServiceSid %q, want %q", n, service, MessagingServiceSID)
		exception(w, http.StatusBadRequest, 21701, "The Messaging Service Sid "+service+" does not exist")
		return false
	}
	return true
}

// checkBody checks the message's text, or answers 400.
func (s *Server) checkBody(w http.ResponseWriter, form url.Values, n int) bool {
	body := form.Get("Body")
	switch {
	case strings.TrimSpace(body) == "":
		s.problem("request %d: no Body", n)
		exception(w, http.StatusBadRequest, 21602, "Message body is required.")
		return false
	case utf8.RuneCountInString(body) > 1600:
		s.problem("request %d: Body of %d characters", n, utf8.RuneCountInString(body))
		exception(w, http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return false
	}
	return true
}

// respond answers a well-formed request as answer says.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, form url.Values, user string, n int, answer Answer) {
	to := form.Get("To")
	switch answer {
	case RejectInvalidNumber:
		exception(w, http.StatusBadRequest, 21211, "The 'To' number "+to+" is not a valid phone number.")
	case RejectNotMobile:
		exception(w, http.StatusBadRequest, 21614, "'To' number "+to+" is not a valid mobile number")
	case RejectRegion:
		exception(w, http.StatusBadRequest, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "+to)
	case RejectUnsubscribed:
		exception(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
	case Throttle:
		w.Header().Set("Retry-After", "1")
		exception(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
	case AuthFailure:
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		exception(w, http.StatusUnauthorized, 20003, "Authenticate")
	case ServerError:
		s.record(r, form, user, n, answer)
		exception(w, http.StatusInternalServerError, 20500, "An internal server error has occurred")
	case Hang:
		s.record(r, form, user, n, answer)
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case MalformedSuccess:
		s.record(r, form, user, n, answer)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"sid": "SM`)
	default:
		sid := s.record(r, form, user, n, Accept)
		s.created(w, sid, form)
	}
}

// record keeps a message answered with a and returns its SID.
func (s *Server) record(r *http.Request, form url.Values, user string, n int, a Answer) string {
	sid := fmt.Sprintf("SM%032x", n)
	text := form.Get("Body")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, Received{
		SID: sid, Answer: a, To: form.Get("To"), From: form.Get("From"), MessagingServiceSID: form.Get("MessagingServiceSid"),
		Text: text, Code: code(text), Username: user, UserAgent: r.UserAgent(), Form: form,
	})
	return sid
}

// code returns the last run of 4 to 8 digits in text that is not part of
// a longer run, or "".
func code(text string) string {
	runs := digitRun.FindAllString(text, -1)
	for i := len(runs) - 1; i >= 0; i-- {
		if len(runs[i]) >= 4 && len(runs[i]) <= 8 {
			return runs[i]
		}
	}
	return ""
}

// created answers 201 with the Message resource, as in the API
// reference's example.
func (s *Server) created(w http.ResponseWriter, sid string, form url.Values) {
	now := time.Now().UTC().Format(time.RFC1123Z)
	status, from, service := "queued", any(form.Get("From")), any(nil)
	if svc := form.Get("MessagingServiceSid"); svc != "" {
		service = svc
		if form.Get("From") == "" {
			status, from = "accepted", nil
		}
	}
	uri := "/2010-04-01/Accounts/" + AccountSID + "/Messages/" + sid
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"account_sid": AccountSID, "api_version": "2010-04-01", "body": form.Get("Body"),
		"date_created": now, "date_sent": nil, "date_updated": now, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": from, "messaging_service_sid": service,
		"num_media": "0", "num_segments": "1", "price": nil, "price_unit": nil,
		"sid": sid, "status": status, "to": form.Get("To"), "uri": uri + ".json",
		"subresource_uris": map[string]string{"media": uri + "/Media.json"},
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// redactAuth keeps an Authorization header's scheme only.
func redactAuth(h string) string {
	if scheme, _, ok := strings.Cut(h, " "); ok {
		return scheme + " redacted"
	}
	if h == "" {
		return ""
	}
	return "redacted"
}
