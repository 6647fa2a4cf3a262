// Package huaweicloudtest is a fake Huawei Cloud Message & SMS for tests:
// an HTTP server on 127.0.0.1 that plays the SMS Sending API as its API
// reference documents it (POST /sms/batchSendSms/v1, sms_05_0001), with
// X-WSSE authentication (sms_05_0046) and the documented answers and error
// codes (sms_05_0050).
//
// It checks every request as the service would: the method, the path, the
// content type, the Authorization header, the X-WSSE header (the user name
// is the app key, the digest is recomputed from the app secret, the nonce
// and Created; Created must be within 5 minutes of the fake's clock) and
// every form field (from, to, templateId, templateParas, statusCallback,
// signature). A request that breaks the contract is answered the way the
// service answers it (400, 401, 404, 405) and recorded as a problem, which
// a test fails on:
//
//	srv := huaweicloudtest.NewServer(t)
//	n, _ := huaweicloud.New(huaweicloud.App{
//		URL: srv.URL(), AppKey: srv.AppKey, AppSecret: srv.AppSecret,
//		Sender: srv.Sender, TemplateID: srv.TemplateID,
//	}, huaweicloud.WithTemplates(srv.TemplateIDs))
//	...
//	if p := srv.Problems(); len(p) > 0 {
//		t.Fatal(p)
//	}
//
// Created's window is narrower than the documented 24 hours on purpose: a
// client that sends its local time as UTC is hours off, and fails here.
// Both documented forms of the digest are accepted: Base64 of the SHA-256's
// hex string (the API reference's example) and of its raw bytes (the Go
// sample).
//
// The fake records (Messages, LastCode) every well-formed request it does
// not refuse: those answered Accept, and those answered ServerError, Hang
// or MalformedSuccess, after which the message may really have gone out;
// Received.Answer tells which. Refusals (RejectInvalidNumber, Throttle,
// AuthFailure) and requests against the contract record nothing. The code
// is the template's first parameter, as sent: there is no text to search.
//
// Outside a test (an example, a demo), Start starts a fake and Close stops
// it.
package huaweicloudtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Answer is how the fake answers a well-formed request.
type Answer int

// The answers, each a documented one.
const (
	// Accept answers 200 with code 000000 and the number's status
	// 000000: the message is taken.
	Accept Answer = iota
	// RejectInvalidNumber answers 400 E000510 ("The SMS fails to be
	// sent. For details, see status.") with the number's status E200023:
	// the number matches no operator of the channel.
	RejectInvalidNumber
	// Throttle answers 400 E000510 with the number's status E200015: too
	// many messages waiting, the platform's flow control.
	Throttle
	// AuthFailure answers 401 E000101 ("Authentication failed.").
	AuthFailure
	// ServerError answers 500 E000000 ("System error."). The message
	// counts as taken: a 5xx may follow a send.
	ServerError
	// Hang takes the request and never answers, until the client gives up
	// or the server closes. The message counts as taken.
	Hang
	// MalformedSuccess answers 200 with a truncated JSON body: the
	// message is taken, but the client cannot read that it was.
	MalformedSuccess
)

// Path is the SMS Sending API's path.
const Path = "/sms/batchSendSms/v1"

// createdLayout is the documented format of X-WSSE's Created.
const createdLayout = "2006-01-02T15:04:05Z"

// MaxSkew is how far Created may be from the fake's clock.
const MaxSkew = 5 * time.Minute

// Received is one message the fake took.
type Received struct {
	// Answer is the answer the fake gave: Accept, or one after which the
	// message may have gone out (ServerError, Hang, MalformedSuccess).
	Answer Answer
	// To is the number, as sent in "to".
	To string
	// Code is the code as received: the template's first parameter.
	Code string
	// Text is empty: the service sends its template, not a text.
	Text string
	// TemplateID is "templateId"; Params is "templateParas" decoded.
	TemplateID string
	Params     []string
	// Sender, Signature and StatusCallback are "from", "signature" and
	// "statusCallback".
	Sender, Signature, StatusCallback string
	// Form is the request's form, every field as received.
	Form url.Values
	// WSSE is the X-WSSE header as received.
	WSSE string
}

// Option sets up the account the fake plays.
type Option func(*Server)

// WithCodeOnly makes the templates take one parameter, the code, instead
// of two (the code and the validity in minutes).
func WithCodeOnly() Option { return func(s *Server) { s.CodeOnly = true } }

// WithSignature makes every request carry this signature name (by
// default none may).
func WithSignature(name string) Option { return func(s *Server) { s.Signature = name } }

// WithStatusCallback makes every request carry this statusCallback (by
// default none may).
func WithStatusCallback(u string) Option { return func(s *Server) { s.StatusCallback = u } }

// Server is a running fake. Its exported fields are the account it plays,
// set by NewServer: read them, never write them.
type Server struct {
	// AppKey and AppSecret are the application's credentials, drawn at
	// random for each server.
	AppKey, AppSecret string
	// Sender is the channel number "from" must carry.
	Sender string
	// TemplateID is the default template; TemplateIDs those by language
	// (zh-CN and en-US).
	TemplateID  string
	TemplateIDs map[string]string
	// CodeOnly, Signature and StatusCallback are as the options set them.
	CodeOnly       bool
	Signature      string
	StatusCallback string

	srv       *httptest.Server
	closed    chan struct{}
	closeOnce sync.Once
	now       func() time.Time

	mu       sync.Mutex
	answer   Answer
	msgs     []Received
	problems []string
	requests int
}

// NewServer starts a fake on 127.0.0.1, closed when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake on 127.0.0.1, for code without a testing.TB (an
// example, a demo); Close stops it.
func Start(opts ...Option) *Server {
	s := &Server{
		AppKey:     randomString(28),
		AppSecret:  randomString(28),
		Sender:     "8824110605001",
		TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300",
		TemplateIDs: map[string]string{
			"zh-CN": "b2c1e0f4a3d94c2e8e7f6a5b4c3d2e1f",
			"en-US": "0e1d2c3b4a5f46e7a8b9c0d1e2f3a4b5",
		},
		closed: make(chan struct{}),
		now:    time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close ends the requests left hanging by Hang, then stops the server. It
// may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
	s.srv.Close()
}

// URL is the fake's access address, such as http://127.0.0.1:41234 (the
// API's path is appended by the client).
func (s *Server) URL() string { return s.srv.URL }

// SetAnswer sets how the following well-formed requests are answered.
func (s *Server) SetAnswer(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = a
}

// Messages returns the messages taken, oldest first: those answered
// Accept, ServerError, Hang or MalformedSuccess (see Received.Answer), not
// the refused ones.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// LastCode returns the code of the last message taken for to (see
// Messages): the template's first parameter.
func (s *Server) LastCode(to string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if s.msgs[i].To == to {
			return s.msgs[i].Code, true
		}
	}
	return "", false
}

// Problems returns what requests did against the documented contract.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// Requests returns how many requests arrived, well-formed or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// fault is a broken contract: the answer the service gives, and the
// problem to record.
type fault struct {
	status      int
	code, desc  string
	numberState string // for E000510: the number's status
	problem     string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	answer := s.answer
	s.mu.Unlock()

	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		s.fail(w, "", fault{status: 400, code: "E000000", desc: "System error.", problem: "body could not be read: " + err.Error()})
		return
	}
	rec, f := s.check(r, body)
	if f != nil {
		s.fail(w, rec.To, *f)
		return
	}
	rec.Answer = answer
	switch answer {
	case Accept:
		s.take(rec)
		s.reply(w, 200, "000000", "Success", rec.To, "000000")
	case RejectInvalidNumber:
		s.reply(w, 400, "E000510", "The SMS fails to be sent. For details, see status.", rec.To, "E200023")
	case Throttle:
		s.reply(w, 400, "E000510", "The SMS fails to be sent. For details, see status.", rec.To, "E200015")
	case AuthFailure:
		s.reply(w, 401, "E000101", "Authentication failed.", "", "")
	case ServerError:
		s.take(rec)
		s.reply(w, 500, "E000000", "System error.", "", "")
	case Hang:
		s.take(rec) // before hanging
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
	case MalformedSuccess:
		s.take(rec)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(200)
		io.WriteString(w, `{"code":"000000","description":"Success","result":[{"originTo":`)
	}
}

func (s *Server) take(rec Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, rec)
}

// fail records f's problem and answers it.
func (s *Server) fail(w http.ResponseWriter, to string, f fault) {
	s.mu.Lock()
	s.problems = append(s.problems, f.problem)
	s.mu.Unlock()
	switch f.status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		if f.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		http.Error(w, http.StatusText(f.status), f.status)
	default:
		s.reply(w, f.status, f.code, f.desc, to, f.numberState)
	}
}

// reply writes the documented JSON answer; with a number status, result
// holds the number's SmsID.
func (s *Server) reply(w http.ResponseWriter, status int, code, desc, to, numberStatus string) {
	type smsID struct {
		OriginTo   string `json:"originTo"`
		CreateTime string `json:"createTime"`
		From       string `json:"from"`
		SmsMsgID   string `json:"smsMsgId"`
		Status     string `json:"status"`
	}
	a := struct {
		Code        string  `json:"code"`
		Description string  `json:"description"`
		Result      []smsID `json:"result,omitempty"`
	}{Code: code, Description: desc}
	if numberStatus != "" {
		a.Result = []smsID{{
			OriginTo:   to,
			CreateTime: s.now().UTC().Format(createdLayout),
			From:       s.Sender,
			SmsMsgID:   randomUUID() + "_" + fmt.Sprint(s.Requests()),
			Status:     numberStatus,
		}}
	}
	b, _ := json.Marshal(a)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b)
}

func randomString(n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

func randomUUID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
