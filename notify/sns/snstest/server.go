// Package snstest is a fake Amazon SNS for tests: an HTTP server on
// 127.0.0.1 that plays the documented Publish API for SMS.
//
// It checks each request the way SNS does: POST / with a form-encoded
// awsQuery body (Action=Publish, Version=2010-03-31, PhoneNumber, Message,
// MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue),
// signed with AWS Signature Version 4 for service sns in Region by
// AccessKeyID, and the signature recomputed with SecretAccessKey. It
// answers with the documented PublishResponse, or an ErrorResponse with
// SNS's status, Type, Code and Message. A request that breaks the contract
// is answered as SNS would (400 or 403) and recorded: tests t.Fatal on
// Problems.
//
// Sources: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html,
// https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html,
// https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
// and the status codes of the SDK's SNS model (aws-sdk-go-v2/service/sns).
package snstest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake account: AWS's documented example keys.
const (
	Region          = "us-east-1"
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Answer is how the server answers a well-formed Publish.
//
// The server records the message (Messages, LastCode) for every
// well-formed request it does not refuse, since the message may have gone
// out: Accept, and the answers after which it may have been sent,
// ServerError, Unavailable, Hang (recorded before it hangs) and
// MalformedSuccess. Received.Answer tells them apart. A refusal
// (RejectInvalidNumber, Throttle, AuthFailure, OptedOut, KMSThrottle) and
// a request that breaks the contract record nothing.
type Answer int

// The answers, with what SNS sends for each.
const (
	// Accept: 200 PublishResponse with a MessageId.
	Accept Answer = iota
	// RejectInvalidNumber: 400 InvalidParameter, "Invalid parameter:
	// PhoneNumber Reason: <number> is not valid to publish to" (SNS quotes
	// the number).
	RejectInvalidNumber
	// Throttle: 429 Throttled, "Rate exceeded".
	Throttle
	// AuthFailure: 403 AuthorizationError: the identity may not
	// sns:Publish.
	AuthFailure
	// ServerError: 500 InternalError.
	ServerError
	// Hang reads the request, records the message and never answers,
	// until the client gives up or the server closes.
	Hang
	// OptedOut: 400 OptedOut, the number opted out of the account's SMS.
	OptedOut
	// KMSThrottle: 400 KMSThrottling.
	KMSThrottle
	// Unavailable: 503 ServiceUnavailable (a common AWS error).
	Unavailable
	// MalformedSuccess: 200 with a body that is not a PublishResponse.
	MalformedSuccess
)

// Received is one well-formed Publish the server did not refuse.
type Received struct {
	// To is PhoneNumber; Text is Message; Code is the code in Text: the
	// last run of 4 to 8 digits not adjacent to other digits (vcode's texts
	// put the code after the brand, which may hold digits, and before a
	// short validity such as "1 minute" or "10分钟"); "" if there is none.
	To, Code, Text string
	// Answer is how the server answered: Accept, or one of the answers
	// after which the message may have been sent.
	Answer Answer
	// SMSType, SenderID and OriginationNumber are the message attributes
	// AWS.SNS.SMS.SMSType, AWS.SNS.SMS.SenderID and
	// AWS.MM.SMS.OriginationNumber ("" when absent).
	SMSType, SenderID, OriginationNumber string
	// Attributes maps every message attribute's name to its StringValue.
	Attributes map[string]string
	// MessageID is the id the server answered with; "" unless Answer is
	// Accept.
	MessageID string
	// Form is the request's form, as sent.
	Form url.Values
	// Header is the request's header.
	Header http.Header
}

// Server is a fake SNS endpoint.
type Server struct {
	srv       *httptest.Server
	done      chan struct{}
	closeOnce sync.Once
	now       func() time.Time

	mu       sync.Mutex
	answer   Answer
	requests int
	messages []Received
	problems []string
}

// NewServer starts a fake SNS on 127.0.0.1, closed when t ends.
func NewServer(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake SNS on 127.0.0.1, for code without a testing.TB
// (examples); Close stops it.
func Start() *Server {
	s := &Server{done: make(chan struct{}), now: time.Now}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close releases requests left hanging by Hang and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.done) })
	s.srv.Close()
}

// URL is the server's base URL, http://127.0.0.1:port.
func (s *Server) URL() string { return s.srv.URL }

// SetAnswer sets how well-formed requests are answered from now on.
func (s *Server) SetAnswer(a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = a
}

// Requests is how many requests arrived, well-formed or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Messages are the recorded messages, oldest first: every well-formed
// request the server did not refuse (see Answer).
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// LastCode is the code (see Received.Code) of the last message recorded
// for to, whatever the server answered it.
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

// Problems are the ways requests broke the contract, one line each.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

// snsError is an ErrorResponse to send.
type snsError struct {
	status  int
	typ     string // Sender or Receiver
	code    string
	message string
}

// reject answers a request that broke the contract, and records why.
func (s *Server) reject(w http.ResponseWriter, e snsError, problem string) {
	s.mu.Lock()
	s.problems = append(s.problems, problem)
	s.mu.Unlock()
	s.writeError(w, e)
}

func (s *Server) writeError(w http.ResponseWriter, e snsError) {
	if e.typ == "" {
		e.typ = "Sender"
	}
	id := newID()
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	w.WriteHeader(e.status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
  <Error>
    <Type>%s</Type>
    <Code>%s</Code>
    <Message>%s</Message>
  </Error>
  <RequestId>%s</RequestId>
</ErrorResponse>
`, e.typ, e.code, escape(e.message), id)
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

var (
	e164     = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	codeRun  = regexp.MustCompile(`[0-9]+`)
	entryKey = regexp.MustCompile(`^MessageAttributes\.entry\.([1-9][0-9]*)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$`)
)

// The message attributes SNS documents for SMS. Anything else (such as
// AWS.SNS.SMS.OriginationNumber for AWS.MM.SMS.OriginationNumber, or the
// account-wide DefaultSenderID of SetSMSAttributes) is a mistake.
var smsAttributes = map[string]bool{
	"AWS.SNS.SMS.SMSType":          true,
	"AWS.SNS.SMS.SenderID":         true,
	"AWS.MM.SMS.OriginationNumber": true,
	"AWS.SNS.SMS.MaxPrice":         true,
	"AWS.MM.SMS.EntityId":          true,
	"AWS.MM.SMS.TemplateId":        true,
}

// serve checks a request as SNS would and answers it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	answer := s.answer
	s.mu.Unlock()

	msg, ok := s.read(w, r)
	if !ok {
		return
	}
	if msg.SMSType != "Transactional" {
		// SNS would send it, at Promotional's lower reliability: a
		// problem of the sender's, not a refusal.
		s.mu.Lock()
		s.problems = append(s.problems, fmt.Sprintf("AWS.SNS.SMS.SMSType is %q: codes must go Transactional", msg.SMSType))
		s.mu.Unlock()
	}
	msg = s.record(msg, answer)
	s.respond(w, r, msg, answer)
}

// read checks a request against the contract and returns its Publish,
// or refuses it as SNS would.
func (s *Server) read(w http.ResponseWriter, r *http.Request) (Received, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	if err != nil {
		s.reject(w, snsError{status: 400, code: "MalformedQueryString", message: "Could not read the request body"}, "unreadable body: "+err.Error())
		return Received{}, false
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.URL.RawQuery != "" {
		s.reject(w, snsError{status: 400, code: "InvalidAction", message: "Could not find operation for this request"},
			fmt.Sprintf("request is %s %s, want POST / with the parameters in the body", r.Method, r.URL.RequestURI()))
		return Received{}, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		s.reject(w, snsError{status: 400, code: "InvalidAction", message: "Could not find operation for this request"},
			fmt.Sprintf("Content-Type %q, want application/x-www-form-urlencoded", r.Header.Get("Content-Type")))
		return Received{}, false
	}
	if e, problem := s.checkSignature(r, body); problem != "" {
		s.reject(w, e, problem)
		return Received{}, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.reject(w, snsError{status: 400, code: "MalformedQueryString", message: "The query string is malformed"}, "body is not form-encoded: "+err.Error())
		return Received{}, false
	}
	msg, e, problem := parsePublish(form)
	if problem != "" {
		s.reject(w, e, problem)
		return Received{}, false
	}
	msg.Header = r.Header.Clone()
	return msg, true
}

// record keeps msg, answered with answer, unless answer refuses it, and
// returns it with its answer and MessageID.
func (s *Server) record(msg Received, answer Answer) Received {
	switch answer {
	case RejectInvalidNumber, Throttle, AuthFailure, OptedOut, KMSThrottle:
		// Refused: nothing goes out, nothing is recorded.
	default:
		// It may go out: recorded before answering (or hanging).
		msg.Answer = answer
		switch answer {
		case ServerError, Unavailable, Hang, MalformedSuccess:
		default: // Accept
			msg.MessageID = newUUID()
		}
		s.mu.Lock()
		s.messages = append(s.messages, msg)
		s.mu.Unlock()
	}
	return msg
}

// respond answers a well-formed Publish as answer says.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, msg Received, answer Answer) {
	switch answer {
	case RejectInvalidNumber:
		s.writeError(w, snsError{status: 400, code: "InvalidParameter", message: "Invalid parameter: PhoneNumber Reason: " + msg.To + " is not valid to publish to"})
	case Throttle:
		s.writeError(w, snsError{status: 429, code: "Throttled", message: "Rate exceeded"})
	case AuthFailure:
		s.writeError(w, snsError{status: 403, code: "AuthorizationError", message: "User: arn:aws:iam::123456789012:user/vcode is not authorized to perform: SNS:Publish"})
	case ServerError:
		s.writeError(w, snsError{status: 500, typ: "Receiver", code: "InternalError", message: "Internal Error"})
	case OptedOut:
		s.writeError(w, snsError{status: 400, code: "OptedOut", message: "Phone number is opted out"})
	case KMSThrottle:
		s.writeError(w, snsError{status: 400, code: "KMSThrottling", message: "Rate exceeded for the KMS key"})
	case Unavailable:
		s.writeError(w, snsError{status: 503, typ: "Receiver", code: "ServiceUnavailable", message: "Service is unavailable"})
	case MalformedSuccess:
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<PublishResponse><PublishResult><MessageId>")
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	default: // Accept
		id := newUUID()
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("x-amzn-RequestId", id)
		fmt.Fprintf(w, `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>%s</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>%s</RequestId>
  </ResponseMetadata>
</PublishResponse>
`, msg.MessageID, id)
	}
}

// parsePublish checks a Publish to a phone number field by field.
func parsePublish(form url.Values) (Received, snsError, string) {
	for k, v := range form {
		if len(v) != 1 {
			return Received{}, invalid("Invalid parameter: " + k), fmt.Sprintf("parameter %s given %d times", k, len(v))
		}
	}
	if a := form.Get("Action"); a != "Publish" {
		return Received{}, snsError{status: 400, code: "InvalidAction", message: fmt.Sprintf("Could not find operation %s for version 2010-03-31", a)}, fmt.Sprintf("Action=%q, want Publish", a)
	}
	if v := form.Get("Version"); v != "2010-03-31" {
		return Received{}, snsError{status: 400, code: "NoSuchVersion", message: "Unsupported API version"}, fmt.Sprintf("Version=%q, want 2010-03-31", v)
	}
	m := Received{To: form.Get("PhoneNumber"), Text: form.Get("Message"), Attributes: map[string]string{}, Form: form}
	for _, k := range []string{"TopicArn", "TargetArn", "Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId"} {
		if form.Has(k) {
			return Received{}, invalid("Invalid parameter: " + k), k + " is set: a Publish to a phone number has no " + k
		}
	}
	if !form.Has("PhoneNumber") {
		return Received{}, invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"), "no PhoneNumber"
	}
	if !e164.MatchString(m.To) {
		return Received{}, invalid("Invalid parameter: PhoneNumber Reason: " + m.To + " is not valid to publish to"), "PhoneNumber is not E.164"
	}
	if strings.TrimSpace(m.Text) == "" {
		return Received{}, invalid("Invalid parameter: Empty message"), "Message is empty"
	}
	if n := len([]rune(m.Text)); n > 1600 {
		return Received{}, invalid("Invalid parameter: Message too long"), fmt.Sprintf("Message has %d characters, SMS allows 1600", n)
	}
	m.Code = lastCode(m.Text)
	entries, e, problem := attributeEntries(form)
	if problem != "" {
		return Received{}, e, problem
	}
	if e, problem := m.setAttributes(entries); problem != "" {
		return Received{}, e, problem
	}
	switch m.SMSType {
	case "Transactional", "Promotional", "": // SNS takes all three; serve checks vcode's choice
	default:
		return Received{}, snsError{status: 400, code: "ParameterValueInvalid", message: "Invalid value for AWS.SNS.SMS.SMSType"}, "AWS.SNS.SMS.SMSType " + strconv.Quote(m.SMSType) + " is neither Transactional nor Promotional"
	}
	return m, snsError{}, ""
}

func invalid(msg string) snsError {
	return snsError{status: 400, code: "InvalidParameter", message: msg}
}

// entry is one of a Publish's MessageAttributes.
type entry struct{ name, dataType, value string }

// attributeEntries collects the MessageAttributes.entry.N.{Name,
// Value.DataType,Value.StringValue} of form, by N, refusing any other
// parameter.
func attributeEntries(form url.Values) (map[int]*entry, snsError, string) {
	entries := map[int]*entry{}
	for k, v := range form {
		switch k {
		case "Action", "Version", "PhoneNumber", "Message":
			continue
		}
		sub := entryKey.FindStringSubmatch(k)
		if sub == nil {
			return nil, invalid("Invalid parameter: " + k), "unexpected parameter " + k
		}
		n, _ := strconv.Atoi(sub[1])
		e := entries[n]
		if e == nil {
			e = &entry{}
			entries[n] = e
		}
		switch sub[2] {
		case "Name":
			e.name = v[0]
		case "Value.DataType":
			e.dataType = v[0]
		case "Value.StringValue":
			e.value = v[0]
		default:
			return nil, invalid("Invalid parameter: " + k), k + ": an SMS attribute has a StringValue, not a BinaryValue"
		}
	}
	return entries, snsError{}, ""
}

// setAttributes checks the entries, numbered from 1 with no gap, and sets
// m's attributes from them.
func (m *Received) setAttributes(entries map[int]*entry) (snsError, string) {
	for n := 1; n <= len(entries); n++ {
		e := entries[n]
		if e == nil {
			return invalid("Invalid parameter: MessageAttributes"), fmt.Sprintf("MessageAttributes entries are not numbered 1 to %d", len(entries))
		}
		if e.name == "" {
			return invalid("Invalid parameter: MessageAttributes"), fmt.Sprintf("MessageAttributes.entry.%d has no Name", n)
		}
		if _, dup := m.Attributes[e.name]; dup {
			return invalid("Invalid parameter: MessageAttributes"), "message attribute " + e.name + " given twice"
		}
		if e.dataType != "String" {
			return snsError{status: 400, code: "ParameterValueInvalid", message: fmt.Sprintf("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", e.name)},
				fmt.Sprintf("message attribute %s has DataType %q, want String", e.name, e.dataType)
		}
		if e.value == "" {
			return snsError{status: 400, code: "ParameterValueInvalid", message: fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'String'.", e.name)},
				"message attribute " + e.name + " has no StringValue"
		}
		if !smsAttributes[e.name] {
			return invalid("Invalid parameter: MessageAttributes"), "message attribute " + e.name + " is not an SMS attribute of Publish"
		}
		m.Attributes[e.name] = e.value
	}
	m.SMSType = m.Attributes["AWS.SNS.SMS.SMSType"]
	m.SenderID = m.Attributes["AWS.SNS.SMS.SenderID"]
	m.OriginationNumber = m.Attributes["AWS.MM.SMS.OriginationNumber"]
	return snsError{}, ""
}

// lastCode is the last run of 4 to 8 digits in text not adjacent to
// other digits: "[Shop 24/7 No.123456] Your code is 654321. It is valid
// for 1 minute." holds 654321.
func lastCode(text string) string {
	runs := codeRun.FindAllString(text, -1) // maximal runs
	for i := len(runs) - 1; i >= 0; i-- {
		if len(runs[i]) >= 4 && len(runs[i]) <= 8 {
			return runs[i]
		}
	}
	return ""
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newUUID() string {
	h := newID()
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
