package sns_test

import (
	"context"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/sns/snstest"
)

const (
	phone = "+14155552671"
	code  = "753927"
)

func sample() delivery.Message {
	return delivery.Message{
		Channel: delivery.SMS, To: phone, Region: "US", Code: code, Language: i18n.EnUS,
		Validity: 5 * time.Minute, ExpiresAt: time.Now().Add(5 * time.Minute),
		Text: i18n.Default().SMS(i18n.EnUS, i18n.Data{Code: code, Validity: 5 * time.Minute}),
	}
}

// newFake starts a fake SNS whose contract problems fail the test.
func newFake(t *testing.T) *snstest.Server {
	t.Helper()
	srv := snstest.NewServer(t)
	t.Cleanup(func() { // runs before the server closes
		for _, p := range srv.Problems() {
			t.Errorf("fake SNS: %s", p)
		}
	})
	return srv
}

// config is what the tests vary: each option's value.
type config struct {
	Region                                     string
	AccessKeyID, SecretAccessKey, SessionToken string
	Profile, SenderID, OriginationNumber       string
	Endpoint                                   string
	Timeout                                    time.Duration
}

// options are the options c's values give.
func (c config) options() []sns.Option {
	return []sns.Option{
		sns.WithRegion(c.Region), sns.WithStaticCredentials(c.AccessKeyID, c.SecretAccessKey, c.SessionToken),
		sns.WithProfile(c.Profile), sns.WithSenderID(c.SenderID), sns.WithOriginationNumber(c.OriginationNumber),
		sns.WithEndpoint(c.Endpoint), sns.WithTimeout(c.Timeout),
	}
}

func (c config) new() (*sns.Notifier, error) { return sns.New(c.options()...) }

// fakeConfig is what points a Notifier at srv.
func fakeConfig(srv *snstest.Server) config {
	return config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, Endpoint: srv.URL()}
}

// newNotifier builds a Notifier for srv, changed by edit.
func newNotifier(t *testing.T, srv *snstest.Server, edit func(*config)) *sns.Notifier {
	t.Helper()
	cfg := fakeConfig(srv)
	if edit != nil {
		edit(&cfg)
	}
	n, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// leaks lists what err's text must never show and does.
func leaks(err error, extra ...string) []string {
	if err == nil {
		return nil
	}
	var found []string
	for _, s := range append([]string{phone, strings.TrimPrefix(phone, "+"), code, snstest.SecretAccessKey, snstest.AccessKeyID}, extra...) {
		if strings.Contains(err.Error(), s) {
			found = append(found, s)
		}
	}
	return found
}

// TestPublishRequest: the request is exactly the documented Publish, its
// signature checked by the fake (which recomputes it).
func TestPublishRequest(t *testing.T) {
	tests := []struct {
		name                string
		senderID, origin    string
		wantAttrs           map[string]string
		wantEntries         int
		wantSender, wantOri string
	}{
		{"minimal", "", "", map[string]string{"AWS.SNS.SMS.SMSType": "Transactional"}, 1, "", ""},
		{"sender ID and origination number", "VCODE", "+18005550100", map[string]string{
			"AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "VCODE", "AWS.MM.SMS.OriginationNumber": "+18005550100",
		}, 3, "VCODE", "+18005550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			n := newNotifier(t, srv, func(c *config) { c.SenderID, c.OriginationNumber = tt.senderID, tt.origin })
			m := sample()
			if err := n.Notify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || srv.Requests() != 1 {
				t.Fatalf("%d messages from %d requests, want 1", len(msgs), srv.Requests())
			}
			got := msgs[0]
			if got.To != phone || got.Text != m.Text || got.Code != code {
				t.Errorf("received To %q Code %q Text %q", got.To, got.Code, got.Text)
			}
			if got.SMSType != "Transactional" || got.SenderID != tt.wantSender || got.OriginationNumber != tt.wantOri {
				t.Errorf("attributes: type %q sender %q origination %q", got.SMSType, got.SenderID, got.OriginationNumber)
			}
			if len(got.Attributes) != len(tt.wantAttrs) {
				t.Errorf("attributes %v, want %v", got.Attributes, tt.wantAttrs)
			}
			for k, v := range tt.wantAttrs {
				if got.Attributes[k] != v {
					t.Errorf("attribute %s = %q, want %q", k, got.Attributes[k], v)
				}
			}
			// Every form field, and nothing else.
			want := []string{"Action", "Message", "PhoneNumber", "Version"}
			for i := 1; i <= tt.wantEntries; i++ {
				for _, f := range []string{"Name", "Value.DataType", "Value.StringValue"} {
					want = append(want, "MessageAttributes.entry."+string(rune('0'+i))+"."+f)
				}
			}
			var keys []string
			for k := range got.Form {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("form fields %v, want %v", keys, want)
			}
			if got.Form.Get("Action") != "Publish" || got.Form.Get("Version") != "2010-03-31" {
				t.Errorf("Action %q Version %q", got.Form.Get("Action"), got.Form.Get("Version"))
			}
			auth := got.Header.Get("Authorization")
			date := got.Header.Get("X-Amz-Date")
			wantCred := "AWS4-HMAC-SHA256 Credential=" + snstest.AccessKeyID + "/" + date[:min(8, len(date))] + "/" + snstest.Region + "/sns/aws4_request, SignedHeaders="
			if !strings.HasPrefix(auth, wantCred) || !strings.Contains(auth, ", Signature=") {
				t.Errorf("Authorization %q, want %q...", auth, wantCred)
			}
			if c, ok := srv.LastCode(phone); !ok || c != code {
				t.Errorf("LastCode = %q, %v", c, ok)
			}
		})
	}
}

// TestAnswers: how each answer of SNS is reported, with one request each
// (no retries).
func TestAnswers(t *testing.T) {
	const (
		delivered = iota
		refused
		invalid // refused, and the user's invalid number
		ambiguous
	)
	// The fake records what may have gone out: what was delivered, and
	// what is ambiguous; never a refusal.
	tests := []struct {
		answer  snstest.Answer
		verdict int
		quote   string // what the error must quote
	}{
		{snstest.Accept, delivered, ""},
		{snstest.RejectInvalidNumber, invalid, "InvalidParameter: Invalid parameter: PhoneNumber Reason: [redacted] is not valid to publish to"},
		{snstest.Throttle, refused, "HTTP 429: Throttled: Rate exceeded"},
		{snstest.AuthFailure, refused, "HTTP 403: AuthorizationError: User: arn:aws:iam::[redacted]:user/vcode is not authorized"},
		{snstest.OptedOut, refused, "OptedOut"},
		{snstest.KMSThrottle, refused, "KMSThrottling"},
		{snstest.ServerError, ambiguous, "HTTP 500: InternalError: Internal Error"},
		{snstest.Unavailable, ambiguous, "HTTP 503: ServiceUnavailable"},
		{snstest.MalformedSuccess, ambiguous, "HTTP 200"},
	}
	for _, tt := range tests {
		t.Run(tt.quote, func(t *testing.T) {
			srv := newFake(t)
			srv.SetAnswer(tt.answer)
			err := newNotifier(t, srv, nil).Notify(context.Background(), sample())
			switch tt.verdict {
			case delivered:
				if err != nil {
					t.Fatal(err)
				}
			case refused, invalid:
				if !errors.Is(err, delivery.ErrUndelivered) {
					t.Fatalf("Notify = %v, want Undelivered", err)
				}
				if got := errors.Is(err, delivery.ErrInvalidRecipient); got != (tt.verdict == invalid) {
					t.Errorf("Notify = %v; matches ErrInvalidRecipient %v", err, got)
				}
			case ambiguous:
				if err == nil || errors.Is(err, delivery.ErrUndelivered) {
					t.Fatalf("Notify = %v, want an ambiguous error", err)
				}
			}
			if err != nil && (!strings.HasPrefix(err.Error(), "notify: sns: ") || !strings.Contains(err.Error(), tt.quote)) {
				t.Errorf("error %q does not quote %q", err, tt.quote)
			}
			if l := leaks(err); l != nil {
				t.Errorf("error %q leaks %q", err, l)
			}
			if srv.Requests() != 1 {
				t.Errorf("%d requests, want 1: Publish is never retried", srv.Requests())
			}
			msgs := srv.Messages()
			if tt.verdict == refused || tt.verdict == invalid {
				if len(msgs) != 0 {
					t.Errorf("a refused message was recorded: %+v", msgs)
				}
				if _, ok := srv.LastCode(phone); ok {
					t.Error("LastCode of a refused message")
				}
				return
			}
			if len(msgs) != 1 || msgs[0].Answer != tt.answer || msgs[0].Code != code {
				t.Fatalf("recorded %+v, want the message with Answer %d", msgs, tt.answer)
			}
			if (msgs[0].MessageID != "") != (tt.answer == snstest.Accept) {
				t.Errorf("MessageID %q for answer %d", msgs[0].MessageID, tt.answer)
			}
			if c, ok := srv.LastCode(phone); !ok || c != code {
				t.Errorf("LastCode = %q, %v", c, ok)
			}
		})
	}
}

// TestHang: a request written and never answered may have been sent.
func TestHang(t *testing.T) {
	srv := newFake(t)
	srv.SetAnswer(snstest.Hang)
	n := newNotifier(t, srv, func(c *config) { c.Timeout = 100 * time.Millisecond })
	err := n.Notify(context.Background(), sample())
	if err == nil || errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Notify = %v, want an ambiguous deadline error", err)
	}
	// The message may have gone out: the fake recorded it before hanging.
	if msgs := srv.Messages(); srv.Requests() != 1 || len(msgs) != 1 || msgs[0].Answer != snstest.Hang {
		t.Fatalf("%d requests, messages %+v", srv.Requests(), msgs)
	}
	if l := leaks(err); l != nil {
		t.Errorf("error %q leaks %q", err, l)
	}
}

// TestCancel: the caller's context is honoured; a cancellation before the
// request left is certain, after it ambiguous.
func TestCancel(t *testing.T) {
	t.Run("before sending", func(t *testing.T) {
		srv := newFake(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := newNotifier(t, srv, nil).Notify(ctx, sample())
		if !errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Notify = %v, want Undelivered and Canceled", err)
		}
		if srv.Requests() != 0 {
			t.Fatalf("%d requests", srv.Requests())
		}
	})
	t.Run("after the request was written", func(t *testing.T) {
		srv := newFake(t)
		srv.SetAnswer(snstest.Hang)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Cancel as soon as the request is out: the trace composes with
		// the Notifier's own.
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }})
		err := newNotifier(t, srv, nil).Notify(ctx, sample())
		if err == nil || errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Notify = %v, want ambiguous and Canceled", err)
		}
	})
}

// TestUnreachable: nothing listens, so nothing left.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	n, err := config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, Endpoint: "http://" + addr}.new()
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), sample())
	if !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Notify = %v, want Undelivered", err)
	}
	if l := leaks(err); l != nil {
		t.Errorf("error %q leaks %q", err, l)
	}
}

// TestAuthentication: what the fake refuses (and records) when the
// signature is not the account's: refusals, certain.
func TestAuthentication(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*config)
		quote string
	}{
		{"wrong secret", func(c *config) { c.SecretAccessKey = "not-the-secret-key-of-the-account" }, "SignatureDoesNotMatch"},
		{"unknown key", func(c *config) { c.AccessKeyID = "AKIAI44QH8DHBEXAMPLE" }, "InvalidClientTokenId"},
		{"wrong region", func(c *config) { c.Region = "eu-west-1" }, "Credential should be scoped to a valid region."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := snstest.NewServer(t) // problems expected
			n := newNotifier(t, srv, tt.edit)
			err := n.Notify(context.Background(), sample())
			if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "HTTP 4") || !strings.Contains(err.Error(), tt.quote) {
				t.Fatalf("Notify = %v, want an Undelivered 4xx quoting %q", err, tt.quote)
			}
			if l := leaks(err, "not-the-secret-key-of-the-account", "AKIAI44QH8DHBEXAMPLE"); l != nil {
				t.Errorf("error %q leaks %q", err, l)
			}
			if len(srv.Problems()) != 1 || len(srv.Messages()) != 0 {
				t.Fatalf("problems %q, %d messages", srv.Problems(), len(srv.Messages()))
			}
		})
	}
}

// TestOtherAnswers: answers no SNS sends but a proxy or a wrong endpoint
// might. A redirect is never followed, so a 3xx is a refusal, but for 303
// See Other, which may answer a processed POST.
func TestOtherAnswers(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	tests := []struct {
		name    string
		status  int
		body    string
		refused bool
	}{
		{"403 from a proxy, not XML", 403, "<html>Forbidden</html>", true},
		{"413, empty", 413, "", true},
		{"300", 300, "", true},
		{"301 redirect", 301, "", true},
		{"302 redirect", 302, "", true},
		{"304", 304, "", true},
		{"307 redirect", 307, "", true},
		{"308 redirect", 308, "", true},
		{"303 See Other", 303, "", false},
		{"502 from a proxy", 502, "Bad Gateway", false},
		{"200 without a MessageId", 200, `<PublishResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><PublishResult></PublishResult></PublishResponse>`, false},
		{"200, empty", 200, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", target.URL)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			n, err := config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, Endpoint: srv.URL}.new()
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			err = n.Notify(context.Background(), sample())
			if err == nil || errors.Is(err, delivery.ErrUndelivered) != tt.refused {
				t.Fatalf("Notify = %v, want refused %v", err, tt.refused)
			}
			if tt.status != 200 && !strings.Contains(err.Error(), "HTTP "+strconv.Itoa(tt.status)) {
				t.Errorf("error %q does not name the status", err)
			}
			if l := leaks(err); l != nil {
				t.Errorf("error %q leaks %q", err, l)
			}
		})
	}
	if elsewhere.Load() != 0 {
		t.Fatalf("a redirect was followed")
	}
}

// TestNotifyRefusesBadMessages before sending anything.
func TestNotifyRefusesBadMessages(t *testing.T) {
	srv := newFake(t)
	n := newNotifier(t, srv, nil)
	email := sample()
	email.Channel, email.To = delivery.Email, "alice@example.com"
	if err := n.Notify(context.Background(), email); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Errorf("email: %v, want ErrNotAllowed", err)
	}
	for _, to := range []string{"4155552671", "+0123", "+1 415 555 2671", ""} {
		m := sample()
		m.To = to
		if err := n.Notify(context.Background(), m); !errors.Is(err, delivery.ErrUndelivered) {
			t.Errorf("To %q: %v, want Undelivered", to, err)
		}
	}
	m := sample()
	m.Text = " "
	if err := n.Notify(context.Background(), m); !errors.Is(err, delivery.ErrUndelivered) {
		t.Errorf("no text: %v, want Undelivered", err)
	}
	if srv.Requests() != 0 {
		t.Fatalf("%d requests", srv.Requests())
	}
	if !n.Supports(delivery.SMS) || n.Supports(delivery.Email) {
		t.Error("Supports is not SMS only")
	}
}

// TestConcurrent sends from many goroutines through one Notifier.
func TestConcurrent(t *testing.T) {
	srv := newFake(t)
	n := newNotifier(t, srv, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := n.Notify(context.Background(), sample()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(srv.Messages()) != 8 {
		t.Fatalf("%d messages", len(srv.Messages()))
	}
}

func TestString(t *testing.T) {
	srv := newFake(t)
	n := newNotifier(t, srv, func(c *config) { c.SenderID, c.OriginationNumber = "VCODE", "+18005550100" })
	u, _ := url.Parse(srv.URL())
	s := n.String()
	for _, want := range []string{"SNS", snstest.Region, u.Host, "VCODE", "+18005550100"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, lacks %q", s, want)
		}
	}
	if strings.Contains(s, snstest.SecretAccessKey) || strings.Contains(s, snstest.AccessKeyID) {
		t.Errorf("String() = %q shows a credential", s)
	}
	def, err := config{Region: "eu-west-1", AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey}.new()
	if err != nil {
		t.Fatal(err)
	}
	if s := def.String(); !strings.Contains(s, "sns.eu-west-1.amazonaws.com") {
		t.Errorf("String() = %q, want the regional endpoint", s)
	}
}

// TestNewChecks: what New refuses.
func TestNewChecks(t *testing.T) {
	base := config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey}
	tests := []struct {
		name string
		edit func(*config)
		ok   bool
	}{
		{"https anywhere", func(c *config) { c.Endpoint = "https://sns.example.com" }, true},
		{"http on localhost", func(c *config) { c.Endpoint = "http://localhost:4566" }, true},
		{"http on ::1", func(c *config) { c.Endpoint = "http://[::1]:4566" }, true},
		{"http elsewhere", func(c *config) { c.Endpoint = "http://sns.example.com" }, false},
		{"http on a LAN address", func(c *config) { c.Endpoint = "http://10.0.0.1:4566" }, false},
		{"user in the URL", func(c *config) { c.Endpoint = "https://user:pass@sns.example.com" }, false},
		{"query", func(c *config) { c.Endpoint = "https://sns.example.com/?key=x" }, false},
		{"not a URL", func(c *config) { c.Endpoint = "sns.example.com" }, false},
		{"key without secret", func(c *config) { c.SecretAccessKey = "" }, false},
		{"secret without key", func(c *config) { c.AccessKeyID = "" }, false},
		{"session token without keys", func(c *config) { c.AccessKeyID, c.SecretAccessKey, c.SessionToken = "", "", "token" }, false},
		{"sender ID too long", func(c *config) { c.SenderID = "ABCDEFGHIJKL" }, false},
		{"sender ID without a letter", func(c *config) { c.SenderID = "12345" }, false},
		{"sender ID with a space", func(c *config) { c.SenderID = "MY CO" }, false},
		{"origination number with letters", func(c *config) { c.OriginationNumber = "+1800FLOWERS" }, false},
		{"short code", func(c *config) { c.OriginationNumber = "12345" }, true},
		{"secret with a space", func(c *config) { c.SecretAccessKey = "wJalrXUtnFEMI/K7MDENG bPxRfiCYEXAMPLEKEY" }, false},
		{"quoted secret", func(c *config) { c.SecretAccessKey = `"` + snstest.SecretAccessKey + `"` }, false},
		{"key ID with a newline", func(c *config) { c.AccessKeyID += "\n" }, false},
		{"quoted session token", func(c *config) { c.SessionToken = "'FwoGZXIvYXdzEXAMPLETOKEN'" }, false},
		{"region with a space", func(c *config) { c.Region = "us-east-1 " }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			n, err := cfg.new()
			if (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok %v", err, tt.ok)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "notify: sns: ") || strings.Contains(err.Error(), "pass") ||
					strings.Contains(err.Error(), "bPxRfiCYEXAMPLEKEY") || strings.Contains(err.Error(), snstest.AccessKeyID) || strings.Contains(err.Error(), "EXAMPLETOKEN") {
					t.Errorf("error %q", err)
				}
				return
			}
			n.Close()
		})
	}
}

// TestSDKEndpointVariable: without WithEndpoint, the SDK's
// AWS_ENDPOINT_URL_SNS applies, held to the same https rule.
func TestSDKEndpointVariable(t *testing.T) {
	srv := newFake(t)
	cfg := fakeConfig(srv)
	cfg.Endpoint = ""
	t.Setenv("AWS_ENDPOINT_URL_SNS", srv.URL())
	n, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Notify(context.Background(), sample()); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 {
		t.Fatalf("%d messages", len(srv.Messages()))
	}
	t.Setenv("AWS_ENDPOINT_URL_SNS", "http://sns.example.com")
	if _, err := cfg.new(); err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_SNS") {
		t.Fatalf("New = %v, want a refusal of plain http", err)
	}
}

// TestNoRegion: with no region anywhere, New says so.
func TestNoRegion(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
	} {
		t.Setenv(k, v)
	}
	_, err := config{AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey}.new()
	if err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Fatalf("New = %v, want a missing region", err)
	}
}

// TestNoInstanceMetadata: with static credentials, the EC2 metadata
// service is never asked, even with AWS_DEFAULTS_MODE=auto, which asks it
// for the region while loading the configuration.
func TestNoInstanceMetadata(t *testing.T) {
	var asked atomic.Int32
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		<-r.Context().Done() // an unreachable metadata service: hang
	}))
	defer imds.Close()
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	t.Setenv("AWS_DEFAULTS_MODE", "auto")
	srv := newFake(t)
	n := newNotifier(t, srv, nil)
	if err := n.Notify(context.Background(), sample()); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 0 {
		t.Fatalf("the metadata service was asked %d times", asked.Load())
	}
}

// errorServer answers every request with status and an ErrorResponse
// whose Message is message(r), as SNS or a proxy in front of it might.
func errorServer(t *testing.T, status int, message func(*http.Request) string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg strings.Builder
		xml.EscapeText(&msg, []byte(message(r)))
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		w.Write([]byte(`<ErrorResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>` +
			msg.String() + `</Message></Error><RequestId>42</RequestId></ErrorResponse>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestEchoedCredentials: a server, or a proxy in front of it, echoing the
// credentials it was sent (raw, URL-escaped with either case of hex,
// JSON-escaped) gets none of them, nor any part of one, into the error,
// though the session token holds the recipient's number.
func TestEchoedCredentials(t *testing.T) {
	const token = "IQoJb3JpZ2luX2VjEXAMPLE/14155552671+SessionToken/Value=="
	lowerHex := regexp.MustCompile(`%[0-9A-F]{2}`)
	forms := func(v string) []string {
		q := url.QueryEscape(v)
		return []string{v, q, lowerHex.ReplaceAllStringFunc(q, strings.ToLower), url.PathEscape(v), strings.ReplaceAll(v, "/", `\/`)}
	}
	echo := func(r *http.Request) string {
		var parts []string
		for _, v := range []string{r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"), snstest.SecretAccessKey} {
			parts = append(parts, forms(v)...)
		}
		return "echo: " + strings.Join(parts, " | ")
	}
	// pieces are the credentials' runs of letters and digits: none may
	// show, whole or in part.
	var pieces []string
	for _, c := range []string{snstest.AccessKeyID, snstest.SecretAccessKey, token} {
		pieces = append(pieces, regexp.MustCompile(`[A-Za-z0-9]{5,}`).FindAllString(c, -1)...)
	}
	for _, tt := range []struct {
		status  int
		refused bool
	}{{400, true}, {403, true}, {302, true}, {303, false}, {500, false}} {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			srv := errorServer(t, tt.status, echo)
			n, err := config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, SessionToken: token, Endpoint: srv.URL}.new()
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			err = n.Notify(context.Background(), sample())
			if err == nil || errors.Is(err, delivery.ErrUndelivered) != tt.refused || !strings.Contains(err.Error(), "echo: ") {
				t.Fatalf("Notify = %v, want refused %v, quoting the answer", err, tt.refused)
			}
			for _, p := range pieces {
				if strings.Contains(err.Error(), p) {
					t.Errorf("error %q shows %q, a part of a credential", err, p)
				}
			}
			if l := leaks(err); l != nil {
				t.Errorf("error %q leaks %q", err, l)
			}
		})
	}
}

// TestNumberFormats: the recipient's number, quoted by the provider in
// another format than E.164, and any other number (a run of 7 or more
// digits, separators between them or not) never show in an error; short
// codes such as error numbers stay.
func TestNumberFormats(t *testing.T) {
	tests := []struct {
		to     string
		quoted []string
	}{
		{"+8613612345678", []string{"136 1234 5678", "+86-136-1234-5678", "13612345678", "+86 (136) 1234.5678", "008613612345678", "8613612345678"}},
		{"+14155552671", []string{"(415) 555-2671", "+1 415-555-2671", "415.555.2671", "1 (415) 555 2671", "4155552671"}},
		{"+447700900123", []string{"07700 900123", "+44 7700 900123", "(0)7700-900-123"}},
		{"+6834002", []string{"4002", "+683 4002"}}, // Niue: a 4-digit national number
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			srv := errorServer(t, 400, func(*http.Request) string {
				return "Invalid parameter: PhoneNumber Reason: " + strings.Join(tt.quoted, ", ") + " (also 136-0000-0000 and (212) 555 0100) is not valid to publish to; error 21211, see 2.1"
			})
			n, err := config{Region: snstest.Region, AccessKeyID: snstest.AccessKeyID, SecretAccessKey: snstest.SecretAccessKey, Endpoint: srv.URL}.new()
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			m := sample()
			m.To = tt.to
			err = n.Notify(context.Background(), m)
			if !errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Notify = %v, want Undelivered", err)
			}
			msg := err.Error()
			if run := regexp.MustCompile(`[0-9](?:[\s.\-()]*[0-9]){6,}`).FindString(msg); run != "" {
				t.Errorf("error %q shows the number-like %q", msg, run)
			}
			for _, q := range tt.quoted {
				if digits := regexp.MustCompile(`[0-9]+`).FindAllString(q, -1); strings.Contains(msg, strings.Join(digits, "")) {
					t.Errorf("error %q shows %q", msg, q)
				}
			}
			for _, keep := range []string{"HTTP 400: InvalidParameter: Invalid parameter: PhoneNumber Reason: [redacted]", "error 21211, see 2.1"} {
				if !strings.Contains(msg, keep) {
					t.Errorf("error %q lacks %q", msg, keep)
				}
			}
		})
	}
}
