package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

var sample = delivery.Message{
	Channel: delivery.SMS, To: "+8613612345678", Region: "CN", Code: "753927", Language: i18n.EnUS,
	Validity: time.Minute, ExpiresAt: time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC),
	Text:      i18n.Default().SMS(i18n.EnUS, i18n.Data{Code: "753927", Validity: time.Minute}),
	RequestID: "rid-1",
}

// secrets must appear in no error: the credentials, the code, the number
// (with or without its +).
var secrets = []string{
	twiliotest.AuthToken, twiliotest.APISecret, sample.Code, sample.To, strings.TrimPrefix(sample.To, "+"),
}

func checkLeaks(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error quotes %q: %v", s, err)
		}
	}
}

// newNotifier points a Notifier at srv with its account, with a short
// timeout.
func newNotifier(t *testing.T, srv *twiliotest.Server) *twilio.Notifier {
	t.Helper()
	return mustNew(t, twilio.Account(srv.Account()), twilio.WithAPIURL(srv.URL()), twilio.WithTimeout(2*time.Second))
}

func mustNew(t *testing.T, account twilio.Account, opts ...twilio.Option) *twilio.Notifier {
	t.Helper()
	n, err := twilio.New(account, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func noProblems(t *testing.T, srv *twiliotest.Server) {
	t.Helper()
	for _, p := range srv.Problems() {
		t.Error("fake Twilio:", p)
	}
}

// TestSendsDocumentedRequest: each way to authenticate and to name the
// sender produces the documented request, which the fake checks field by
// field, and the code arrives.
func TestSendsDocumentedRequest(t *testing.T) {
	tests := []struct {
		name string
		opts []twiliotest.Option
		user string
		want []string // the form's fields
	}{
		{"auth token, From", nil, twiliotest.AccountSID, []string{"Body", "From", "To"}},
		{"API key, From", []twiliotest.Option{twiliotest.WithAPIKey()}, twiliotest.APIKey, []string{"Body", "From", "To"}},
		{"auth token, Messaging Service", []twiliotest.Option{twiliotest.WithMessagingService()}, twiliotest.AccountSID, []string{"Body", "MessagingServiceSid", "To"}},
		{"API key, Messaging Service", []twiliotest.Option{twiliotest.WithAPIKey(), twiliotest.WithMessagingService()}, twiliotest.APIKey, []string{"Body", "MessagingServiceSid", "To"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := twiliotest.NewServer(t, tt.opts...)
			if err := newNotifier(t, srv).Notify(context.Background(), sample); err != nil {
				t.Fatal(err)
			}
			noProblems(t, srv)
			msgs := srv.Messages()
			if len(msgs) != 1 || srv.Requests() != 1 {
				t.Fatalf("%d messages in %d requests, want 1", len(msgs), srv.Requests())
			}
			got := msgs[0]
			if got.To != sample.To || got.Text != sample.Text || got.Code != sample.Code || got.Username != tt.user {
				t.Errorf("received %+v", got)
			}
			if strings.Contains(tt.name, "From") && (got.From != twiliotest.From || got.MessagingServiceSID != "") {
				t.Errorf("From %q, MessagingServiceSid %q", got.From, got.MessagingServiceSID)
			}
			if strings.Contains(tt.name, "Service") && (got.MessagingServiceSID != twiliotest.MessagingServiceSID || got.From != "") {
				t.Errorf("From %q, MessagingServiceSid %q", got.From, got.MessagingServiceSID)
			}
			var keys []string
			for k := range got.Form {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.want) {
				t.Errorf("form fields %v, want %v", keys, tt.want)
			}
			// The SDK built and sent the request, not a copy of it.
			if !strings.HasPrefix(got.UserAgent, "twilio-go/1.31.0 ") {
				t.Errorf("User-Agent %q: not twilio-go's", got.UserAgent)
			}
			if code, ok := srv.LastCode(sample.To); !ok || code != sample.Code {
				t.Errorf("LastCode = %q, %v", code, ok)
			}
		})
	}
}

// TestRefusals: each documented refusal is certain (Undelivered), quotes
// Twilio's code, and is not repeated; those of the number itself (21211,
// 21614) are the user's invalid contact (delivery.ErrInvalidRecipient),
// the others not.
func TestRefusals(t *testing.T) {
	tests := []struct {
		answer       twiliotest.Answer
		status, code int
		invalid      bool
	}{
		{twiliotest.RejectInvalidNumber, 400, 21211, true},
		{twiliotest.RejectNotMobile, 400, 21614, true},
		{twiliotest.RejectRegion, 400, 21408, false},
		{twiliotest.RejectUnsubscribed, 400, 21610, false},
		{twiliotest.Throttle, 429, 20429, false},
		{twiliotest.AuthFailure, 401, 20003, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			srv := twiliotest.NewServer(t)
			srv.SetAnswer(tt.answer)
			err := newNotifier(t, srv).Notify(context.Background(), sample)
			if !errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Notify = %v, want Undelivered", err)
			}
			var ae *twilio.APIError
			if !errors.As(err, &ae) || ae.Status != tt.status || ae.Code != tt.code {
				t.Fatalf("Notify = %#v, want HTTP %d, error %d", err, tt.status, tt.code)
			}
			if got := errors.Is(err, delivery.ErrInvalidRecipient); got != tt.invalid {
				t.Errorf("Notify = %v; matches ErrInvalidRecipient %v, want %v", err, got, tt.invalid)
			}
			want := fmt.Sprintf("notify: twilio: HTTP %d, error %d: ", tt.status, tt.code)
			if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("https://www.twilio.com/docs/errors/%d", tt.code)) {
				t.Errorf("error %q, want %q...", err, want)
			}
			checkLeaks(t, err)
			noProblems(t, srv)
			if srv.Requests() != 1 || len(srv.Messages()) != 0 {
				t.Errorf("%d requests, %d messages; want 1, 0", srv.Requests(), len(srv.Messages()))
			}
		})
	}
}

// TestInvalidNumberMasked: Twilio quotes the number in 21211's message;
// the error shows it masked.
func TestInvalidNumberMasked(t *testing.T) {
	srv := twiliotest.NewServer(t)
	srv.SetAnswer(twiliotest.RejectInvalidNumber)
	err := newNotifier(t, srv).Notify(context.Background(), sample)
	want := "notify: twilio: HTTP 400, error 21211: The 'To' number +86*********78 is not a valid phone number. (https://www.twilio.com/docs/errors/21211)"
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
}

// TestAmbiguous: answers after which the message may have left are plain
// errors, and never repeated.
func TestAmbiguous(t *testing.T) {
	tests := []struct {
		name   string
		answer twiliotest.Answer
		want   string
	}{
		{"server error", twiliotest.ServerError, "notify: twilio: HTTP 500, error 20500: An internal server error has occurred"},
		{"hang", twiliotest.Hang, "notify: twilio: no answer after the request was sent"},
		{"malformed success", twiliotest.MalformedSuccess, "notify: twilio: HTTP 201 with an unreadable body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := twiliotest.NewServer(t)
			srv.SetAnswer(tt.answer)
			// A short timeout, for the hang.
			err := mustNew(t, twilio.Account(srv.Account()), twilio.WithAPIURL(srv.URL()), twilio.WithTimeout(100*time.Millisecond)).Notify(context.Background(), sample)
			if err == nil || errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Notify = %v, want an ambiguous error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want %q...", err, tt.want)
			}
			checkLeaks(t, err)
			noProblems(t, srv)
			if srv.Requests() != 1 {
				t.Errorf("%d requests, want 1: repeated after it was written", srv.Requests())
			}
		})
	}
}

// TestRawAnswers: answers the fake does not give (a proxy's HTML, a
// redirect, a message created as failed) are classified all the same.
func TestRawAnswers(t *testing.T) {
	const failed = `{"sid":"SM0123456789abcdef0123456789abcdef","status":"failed","error_code":30001,"error_message":"Queue overflow for +8613612345678"}`
	tests := []struct {
		name        string
		status      int
		body        string
		undelivered bool
		want        string
	}{
		{"HTML 403 from a proxy", 403, "<html>Forbidden</html>", true, "notify: twilio: HTTP 403"},
		{"HTML 502 from a proxy", 502, "<html>Bad Gateway</html>", false, "notify: twilio: HTTP 502"},
		{"307 is not followed", 307, "", true, "notify: twilio: HTTP 307"},
		{"303 may have been processed", 303, "", false, "notify: twilio: HTTP 303"},
		{"201 without a SID", 201, `{"status":"queued"}`, false, "notify: twilio: HTTP 201 without a message SID"},
		{"201 with status failed", 201, failed, true, "notify: twilio: message SM0123456789abcdef0123456789abcdef failed, error 30001: Queue overflow for +86*********78"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests int
			var mu sync.Mutex
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				requests++
				mu.Unlock()
				if tt.status >= 300 && tt.status < 400 {
					w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			err := mustNew(t, twilio.Account{
				SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From,
			}, twilio.WithAPIURL(srv.URL)).Notify(context.Background(), sample)
			if err == nil || errors.Is(err, delivery.ErrUndelivered) != tt.undelivered {
				t.Fatalf("Notify = %v, want undelivered %v", err, tt.undelivered)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want %q...", err, tt.want)
			}
			checkLeaks(t, err)
			mu.Lock()
			defer mu.Unlock()
			if requests != 1 {
				t.Errorf("%d requests, want 1", requests)
			}
		})
	}
}

// TestDialFailure: nothing listens, so nothing was sent.
func TestDialFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = mustNew(t, twilio.Account{
		SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From,
	}, twilio.WithAPIURL("http://"+addr)).Notify(context.Background(), sample)
	if !errors.Is(err, delivery.ErrUndelivered) || !strings.HasPrefix(err.Error(), "notify: twilio: ") {
		t.Fatalf("Notify = %v, want Undelivered", err)
	}
	checkLeaks(t, err)
}

// TestWrongCredentials: Twilio answers 401 (20003) to a wrong auth token.
func TestWrongCredentials(t *testing.T) {
	srv := twiliotest.NewServer(t)
	account := twilio.Account(srv.Account())
	account.AuthToken = "0badc0de0badc0de0badc0de0badc0de"
	err := mustNew(t, account, twilio.WithAPIURL(srv.URL())).Notify(context.Background(), sample)
	var ae *twilio.APIError
	if !errors.Is(err, delivery.ErrUndelivered) || !errors.As(err, &ae) || ae.Status != 401 || ae.Code != 20003 {
		t.Fatalf("Notify = %v, want Undelivered 401 20003", err)
	}
	if strings.Contains(err.Error(), account.AuthToken) {
		t.Errorf("error quotes the token: %v", err)
	}
	if p := srv.Problems(); len(p) != 1 || !strings.Contains(p[0], "wrong Basic credentials") {
		t.Errorf("problems %q, want the wrong credentials", p)
	}
}

// TestContext: a cancelled context sends nothing; a cancellation while
// Twilio holds the request returns at once, and may have delivered.
func TestContext(t *testing.T) {
	srv := twiliotest.NewServer(t)
	n := newNotifier(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Notify(ctx, sample); !errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify on a cancelled context = %v", err)
	}
	if srv.Requests() != 0 {
		t.Fatalf("%d requests on a cancelled context", srv.Requests())
	}

	srv.SetAnswer(twiliotest.Hang)
	// An hour: only the cancellation can end it.
	n = mustNew(t, twilio.Account(srv.Account()), twilio.WithAPIURL(srv.URL()), twilio.WithTimeout(time.Hour))
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		for srv.Requests() == 0 { // the request is with "Twilio"
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := n.Notify(ctx, sample)
	if err == nil || errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify cancelled while Twilio held the request = %v, want ambiguous", err)
	}
	checkLeaks(t, err)
}

// TestNotSMS: other channels are refused before any request.
func TestNotSMS(t *testing.T) {
	srv := twiliotest.NewServer(t)
	n := newNotifier(t, srv)
	if n.Supports(delivery.Email) || !n.Supports(delivery.SMS) {
		t.Fatal("Supports: want SMS only")
	}
	m := sample
	m.Channel, m.To = delivery.Email, "alice@example.com"
	if err := n.Notify(context.Background(), m); !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Notify(email) = %v", err)
	}
	if srv.Requests() != 0 {
		t.Fatal("an email went to Twilio")
	}
}

// TestConcurrent: one Notifier, many goroutines.
func TestConcurrent(t *testing.T) {
	srv := twiliotest.NewServer(t)
	n := newNotifier(t, srv)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			m := sample
			m.To = fmt.Sprintf("+1415555%04d", i)
			if err := n.Notify(context.Background(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	noProblems(t, srv)
	if got := len(srv.Messages()); got != 8 {
		t.Fatalf("%d messages, want 8", got)
	}
}

func TestString(t *testing.T) {
	srv := twiliotest.NewServer(t, twiliotest.WithAPIKey(), twiliotest.WithMessagingService())
	s := newNotifier(t, srv).String()
	host := strings.TrimPrefix(srv.URL(), "http://")
	for _, want := range []string{"twilio", host, twiliotest.AccountSID, twiliotest.MessagingServiceSID, twiliotest.APIKey} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, without %q", s, want)
		}
	}
	account := twilio.Account(srv.Account())
	for _, s := range []string{s, account.String(), fmt.Sprintf("%v %+v", account, account)} {
		if strings.Contains(s, twiliotest.APISecret) || strings.Contains(s, twiliotest.AuthToken) {
			t.Errorf("%q shows a secret", s)
		}
	}
}
