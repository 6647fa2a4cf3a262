package huaweicloud_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

const (
	phone = "+8613612345678"
	code  = "753927"
)

func message(lang string) delivery.Message {
	return delivery.Message{
		Channel:   delivery.SMS,
		To:        phone,
		Region:    "CN",
		Code:      code,
		Validity:  5 * time.Minute,
		ExpiresAt: time.Now().Add(5 * time.Minute),
		Language:  language.Make(lang),
		Text:      "not sent: the service sends its template 111111",
	}
}

// fake starts a fake and a Notifier configured from its environment; the
// test fails if the fake saw a request against the contract.
func fake(t *testing.T, opts ...huaweicloudtest.Option) (*huaweicloudtest.Server, *huaweicloud.Notifier) {
	t.Helper()
	srv := huaweicloudtest.NewServer(t, opts...)
	n := notifier(t, srv, nil)
	t.Cleanup(func() {
		if p := srv.Problems(); len(p) > 0 {
			t.Errorf("the fake saw requests against the contract: %q", p)
		}
	})
	return srv, n
}

// config is what the tests vary: the App, and the options' values.
type config struct {
	huaweicloud.App
	TemplateIDs               map[string]string
	CodeOnly                  bool
	Signature, StatusCallback string
	Timeout                   time.Duration
	Client                    *http.Client
}

// options are the options c's values give; a zero value gives none.
func (c config) options() []huaweicloud.Option {
	var opts []huaweicloud.Option
	if c.TemplateIDs != nil {
		opts = append(opts, huaweicloud.WithTemplates(c.TemplateIDs))
	}
	if c.CodeOnly {
		opts = append(opts, huaweicloud.WithCodeOnly())
	}
	if c.Signature != "" {
		opts = append(opts, huaweicloud.WithSignature(c.Signature))
	}
	if c.StatusCallback != "" {
		opts = append(opts, huaweicloud.WithStatusCallback(c.StatusCallback))
	}
	if c.Timeout != 0 {
		opts = append(opts, huaweicloud.WithTimeout(c.Timeout))
	}
	if c.Client != nil {
		opts = append(opts, huaweicloud.WithClient(c.Client))
	}
	return opts
}

func (c config) new() (*huaweicloud.Notifier, error) { return huaweicloud.New(c.App, c.options()...) }

// fakeConfig is the account srv plays.
func fakeConfig(srv *huaweicloudtest.Server) config {
	return config{
		App: huaweicloud.App{
			URL: srv.URL(), AppKey: srv.AppKey, AppSecret: srv.AppSecret,
			Sender: srv.Sender, TemplateID: srv.TemplateID,
		},
		TemplateIDs: srv.TemplateIDs, CodeOnly: srv.CodeOnly,
		Signature: srv.Signature, StatusCallback: srv.StatusCallback,
	}
}

func notifier(t *testing.T, srv *huaweicloudtest.Server, edit func(*config)) *huaweicloud.Notifier {
	t.Helper()
	cfg := fakeConfig(srv)
	if edit != nil {
		edit(&cfg)
	}
	n, err := cfg.new()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// noLeak fails if err quotes the number, the code or a credential.
func noLeak(t *testing.T, err error, srv *huaweicloudtest.Server) {
	t.Helper()
	if err == nil {
		return
	}
	s := err.Error()
	for _, x := range []string{phone, strings.TrimPrefix(phone, "+"), "13612345678", code, srv.AppSecret} {
		if strings.Contains(s, x) {
			t.Errorf("error %q quotes %q", s, x)
		}
	}
	if !strings.HasPrefix(s, "notify: huaweicloud: ") {
		t.Errorf("error %q lacks the prefix", s)
	}
}

var wsseShape = regexp.MustCompile(`^UsernameToken Username="[^"]+",PasswordDigest="[A-Za-z0-9+/]+={0,2}",Nonce="[0-9a-f]{32}",Created="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"$`)

// A send is exactly the documented request (the fake checks the method,
// path, content type, both headers with the digest recomputed, and every
// field) and the code arrives as the template's parameter.
func TestDocumentedRequest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []huaweicloudtest.Option
		fields []string
		params []string
	}{
		{"code and minutes", nil, []string{"from", "templateId", "templateParas", "to"}, []string{code, "5"}},
		{"code only", []huaweicloudtest.Option{huaweicloudtest.WithCodeOnly()}, []string{"from", "templateId", "templateParas", "to"}, []string{code}},
		{"signature and callback", []huaweicloudtest.Option{
			huaweicloudtest.WithSignature("华为云短信测试"),
			huaweicloudtest.WithStatusCallback("https://example.com/report?id=1&x=%20"),
		}, []string{"from", "signature", "statusCallback", "templateId", "templateParas", "to"}, []string{code, "5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := fake(t, tc.opts...)
			if err := n.Notify(context.Background(), message("zh-CN")); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 || srv.Requests() != 1 {
				t.Fatalf("%d messages, %d requests", len(got), srv.Requests())
			}
			m := got[0]
			if m.To != phone || m.Code != code || m.Text != "" || m.Sender != srv.Sender ||
				m.TemplateID != srv.TemplateIDs["zh-CN"] || !slices.Equal(m.Params, tc.params) ||
				m.Signature != srv.Signature || m.StatusCallback != srv.StatusCallback {
				t.Errorf("received %+v", m)
			}
			var keys []string
			for k := range m.Form {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tc.fields) {
				t.Errorf("fields %q, want %q", keys, tc.fields)
			}
			if want := `["` + strings.Join(tc.params, `","`) + `"]`; m.Form.Get("templateParas") != want {
				t.Errorf("templateParas %q, want %q", m.Form.Get("templateParas"), want)
			}
			if !wsseShape.MatchString(m.WSSE) || !strings.Contains(m.WSSE, `Username="`+srv.AppKey+`"`) {
				t.Errorf("X-WSSE %q", m.WSSE)
			}
			if c, ok := srv.LastCode(phone); !ok || c != code {
				t.Errorf("LastCode = %q, %v", c, ok)
			}
		})
	}
}

// The exact bytes on the wire: the headers, and the body's encoding (a
// JSON array in a form, UTF-8 percent-encoded).
func TestWire(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, got = string(b), r
		w.Write([]byte(`{"code":"000000","description":"Success","result":[{"originTo":"+8613612345678","status":"000000"}]}`))
	}))
	defer srv.Close()
	n, err := config{App: huaweicloud.App{URL: srv.URL + "/", AppKey: "key", AppSecret: "secret", Sender: "csms12345678", TemplateID: "tpl"}, Signature: "华为云", StatusCallback: "https://example.com/r"}.new()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), message("")); err != nil {
		t.Fatal(err)
	}
	want := "from=csms12345678&to=%2B8613612345678&templateId=tpl&templateParas=%5B%22753927%22%2C%225%22%5D" +
		"&statusCallback=https%3A%2F%2Fexample.com%2Fr&signature=%E5%8D%8E%E4%B8%BA%E4%BA%91"
	if body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
	for k, v := range map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": `WSSE realm="SDP",profile="UsernameToken",type="Appkey"`,
		"Accept":        "application/json",
	} {
		if got.Header.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if got.Method != http.MethodPost || got.URL.Path != "/sms/batchSendSms/v1" || !wsseShape.MatchString(got.Header.Get("X-WSSE")) {
		t.Errorf("%s %s, X-WSSE %q", got.Method, got.URL.Path, got.Header.Get("X-WSSE"))
	}
}

// The validity goes in whole minutes, rounded up; a message without one
// uses its expiry.
func TestMinutes(t *testing.T) {
	srv, n := fake(t)
	for _, tc := range []struct {
		validity time.Duration
		expires  time.Time
		want     string
	}{
		{10 * time.Second, time.Time{}, "1"},
		{time.Minute, time.Time{}, "1"},
		{61 * time.Second, time.Time{}, "2"},
		{10 * time.Minute, time.Time{}, "10"},
		{0, time.Now().Add(90 * time.Second), "2"},
	} {
		m := message("zh-CN")
		m.Validity, m.ExpiresAt = tc.validity, tc.expires
		if err := n.Notify(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		if p := got[len(got)-1].Params; p[1] != tc.want {
			t.Errorf("validity %v: minutes %q, want %q", tc.validity, p[1], tc.want)
		}
	}
	m := message("zh-CN")
	m.Validity, m.ExpiresAt = 0, time.Time{}
	if err := n.Notify(context.Background(), m); !errors.Is(err, delivery.ErrUndelivered) {
		t.Errorf("no validity: %v", err)
	}
}

// The template follows the message's language: its own, the closest, or
// the default.
func TestTemplateByLanguage(t *testing.T) {
	srv, n := fake(t)
	for lang, want := range map[string]string{
		"zh-CN": srv.TemplateIDs["zh-CN"],
		"zh":    srv.TemplateIDs["zh-CN"],
		"en-US": srv.TemplateIDs["en-US"],
		"en":    srv.TemplateIDs["en-US"],
		"en-GB": srv.TemplateIDs["en-US"],
		"fr-FR": srv.TemplateID,
		"":      srv.TemplateID,
	} {
		if err := n.Notify(context.Background(), message(lang)); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		if id := got[len(got)-1].TemplateID; id != want {
			t.Errorf("%q: template %q, want %q", lang, id, want)
		}
	}
}

// Each documented refusal is certain: ErrUndelivered, one request, the
// code and status quoted, nothing secret; E200023 (the number is in no
// operator's range) is the user's invalid number too.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		answer  huaweicloudtest.Answer
		quote   []string
		invalid bool
	}{
		{huaweicloudtest.RejectInvalidNumber, []string{"HTTP 400", "E000510", "E200023"}, true},
		{huaweicloudtest.Throttle, []string{"E000510", "E200015", "flow control"}, false},
		{huaweicloudtest.AuthFailure, []string{"HTTP 401", "E000101", "Authentication failed."}, false},
	} {
		t.Run(fmt.Sprint(tc.quote), func(t *testing.T) {
			srv, n := fake(t)
			srv.SetAnswer(tc.answer)
			err := n.Notify(context.Background(), message("zh-CN"))
			if !errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("err = %v, want ErrUndelivered", err)
			}
			if got := errors.Is(err, delivery.ErrInvalidRecipient); got != tc.invalid {
				t.Errorf("err = %v; matches ErrInvalidRecipient %v, want %v", err, got, tc.invalid)
			}
			for _, q := range tc.quote {
				if !strings.Contains(err.Error(), q) {
					t.Errorf("%q does not say %q", err, q)
				}
			}
			noLeak(t, err, srv)
			if srv.Requests() != 1 || len(srv.Messages()) != 0 {
				t.Errorf("%d requests, %d messages", srv.Requests(), len(srv.Messages()))
			}
		})
	}
}

// What may have been sent is never ErrUndelivered, and never repeated.
func TestAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		answer huaweicloudtest.Answer
		quote  string
	}{
		{huaweicloudtest.ServerError, "HTTP 500"},
		{huaweicloudtest.MalformedSuccess, "not the documented JSON"},
		{huaweicloudtest.Hang, "may have been sent"},
	} {
		t.Run(tc.quote, func(t *testing.T) {
			srv, _ := fake(t)
			n := notifier(t, srv, func(c *config) { c.Timeout = 100 * time.Millisecond })
			srv.SetAnswer(tc.answer)
			err := n.Notify(context.Background(), message("zh-CN"))
			if err == nil || errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("err = %v, want an ambiguous error", err)
			}
			if !strings.Contains(err.Error(), tc.quote) {
				t.Errorf("%q does not say %q", err, tc.quote)
			}
			noLeak(t, err, srv)
			if srv.Requests() != 1 {
				t.Errorf("%d requests", srv.Requests())
			}
		})
	}
}

// A connection that breaks once the request is written may have
// delivered.
func TestBrokenAfterWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1)
			c.Read(buf) // the request has arrived
			c.Close()
		}
	}()
	n, err := config{App: huaweicloud.App{URL: "http://" + ln.Addr().String(), AppKey: "k", AppSecret: "s", Sender: "x", TemplateID: "t"}}.new()
	if err != nil {
		t.Fatal(err)
	}
	err = n.Notify(context.Background(), message("zh-CN"))
	if err == nil || errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("err = %v, want an ambiguous error", err)
	}
}

// A closed port: the request never left, and is tried twice.
func TestDialFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var dials atomic.Int32
	tr := http.DefaultTransport.(*http.Transport).Clone()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, a)
	}
	defer tr.CloseIdleConnections()
	for _, client := range []*http.Client{nil, {Transport: tr}} {
		n, err := config{App: huaweicloud.App{URL: "http://" + addr, AppKey: "k", AppSecret: "s3cr3t", Sender: "x", TemplateID: "t"}, Client: client}.new()
		if err != nil {
			t.Fatal(err)
		}
		err = n.Notify(context.Background(), message("zh-CN"))
		if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "not sent") || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("err = %v, want ErrUndelivered", err)
		}
	}
	if dials.Load() != 2 {
		t.Errorf("%d dials, want 2 (one retry)", dials.Load())
	}
}

// Redirects are never followed: a 3xx refuses, except 303, which may
// answer a processed POST.
func TestRedirects(t *testing.T) {
	var followed atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Store(true) }))
	defer target.Close()
	for status, undelivered := range map[int]bool{301: true, 302: true, 307: true, 308: true, 303: false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+r.URL.Path, status)
		}))
		n, err := config{App: huaweicloud.App{URL: srv.URL, AppKey: "k", AppSecret: "s", Sender: "x", TemplateID: "t"}, Client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}}.new()
		if err != nil {
			t.Fatal(err)
		}
		err = n.Notify(context.Background(), message("zh-CN"))
		if err == nil || errors.Is(err, delivery.ErrUndelivered) != undelivered {
			t.Errorf("%d: err = %v, undelivered want %v", status, err, undelivered)
		}
		srv.Close()
	}
	if followed.Load() {
		t.Error("a redirect was followed")
	}
}

// A caller's cancellation is honoured: before the request leaves, the
// message is certainly not sent; after, it may have been.
func TestContext(t *testing.T) {
	srv, n := fake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := n.Notify(ctx, message("zh-CN")); !errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v", err)
	}
	if srv.Requests() != 0 {
		t.Errorf("%d requests", srv.Requests())
	}

	srv.SetAnswer(huaweicloudtest.Hang)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { cancel() }, // cancelled once it left
	})
	err := n.Notify(ctx, message("zh-CN"))
	if err == nil || errors.Is(err, delivery.ErrUndelivered) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled after: %v", err)
	}
}

// The fake holds the client to the documented authentication: a wrong
// secret is refused (401 E000101), certain, and recorded as a problem.
func TestWrongSecret(t *testing.T) {
	srv := huaweicloudtest.NewServer(t)
	n := notifier(t, srv, func(c *config) { c.AppSecret = "not-the-secret" })
	err := n.Notify(context.Background(), message("zh-CN"))
	if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "E000101") || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("err = %v", err)
	}
	if p := srv.Problems(); len(p) != 1 || !strings.Contains(p[0], "PasswordDigest") {
		t.Errorf("problems %q", p)
	}
}

// What the fake would refuse for its account is refused, and certain.
func TestAccountMismatch(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*config)
		want string
	}{
		{"sender", func(c *config) { c.Sender = "other" }, "E200018"},
		{"template", func(c *config) { c.TemplateIDs = nil; c.TemplateID = "unknown" }, "E000503"},
		{"parameters", func(c *config) { c.CodeOnly = true }, "E200028"},
		{"signature", func(c *config) { c.Signature = "unexpected" }, "E000503"},
		{"app key", func(c *config) { c.AppKey = "other" }, "E000102"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := huaweicloudtest.NewServer(t)
			err := notifier(t, srv, tc.edit).Notify(context.Background(), message("zh-CN"))
			if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
			noLeak(t, err, srv)
			if len(srv.Problems()) != 1 {
				t.Errorf("problems %q", srv.Problems())
			}
		})
	}
}

// Messages it cannot send never reach the service.
func TestUnsendable(t *testing.T) {
	srv, n := fake(t)
	for name, edit := range map[string]func(*delivery.Message){
		"email":      func(m *delivery.Message) { m.Channel, m.To = delivery.Email, "alice@example.com" },
		"not E.164":  func(m *delivery.Message) { m.To = "13612345678" },
		"two":        func(m *delivery.Message) { m.To = phone + ",+8613600000000" },
		"letters":    func(m *delivery.Message) { m.To = "+86136abc" },
		"empty code": func(m *delivery.Message) { m.Code = "" },
	} {
		m := message("zh-CN")
		edit(&m)
		err := n.Notify(context.Background(), m)
		if !errors.Is(err, delivery.ErrUndelivered) {
			t.Errorf("%s: err = %v", name, err)
		}
		noLeak(t, err, srv)
	}
	if srv.Requests() != 0 {
		t.Errorf("%d requests", srv.Requests())
	}
	if !n.Supports(delivery.SMS) || n.Supports(delivery.Email) {
		t.Error("Supports")
	}
}

// String names the service, host and sender, and no credential.
func TestString(t *testing.T) {
	srv, n := fake(t)
	s := n.String()
	u, _ := url.Parse(srv.URL())
	if !strings.Contains(s, u.Host) || !strings.Contains(s, srv.Sender) || strings.Contains(s, srv.AppSecret) || strings.Contains(s, srv.AppKey) {
		t.Errorf("String() = %q", s)
	}
}

// Safe for concurrent use; every nonce is fresh.
func TestConcurrent(t *testing.T) {
	srv, n := fake(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := n.Notify(context.Background(), message("en-US")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	nonces := map[string]bool{}
	for _, m := range srv.Messages() {
		nonces[regexp.MustCompile(`Nonce="([^"]+)"`).FindStringSubmatch(m.WSSE)[1]] = true
	}
	if len(nonces) != 20 {
		t.Errorf("%d distinct nonces for 20 requests", len(nonces))
	}
}

// New refuses what could not work, or would leak.
func TestNewRefuses(t *testing.T) {
	good := config{App: huaweicloud.App{URL: "https://smsapi.cn-north-4.myhuaweicloud.com:443", AppKey: "k", AppSecret: "s", Sender: "csms12345678", TemplateID: "t"}}
	if _, err := good.new(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*config){
		"http elsewhere":     func(c *config) { c.URL = "http://smsapi.cn-north-4.myhuaweicloud.com:443" },
		"ftp":                func(c *config) { c.URL = "ftp://127.0.0.1" },
		"not absolute":       func(c *config) { c.URL = "smsapi.cn-north-4.myhuaweicloud.com" },
		"user info":          func(c *config) { c.URL = "https://u:p@smsapi.example.com" },
		"query":              func(c *config) { c.URL = "https://smsapi.example.com?key=1" },
		"fragment":           func(c *config) { c.URL = "https://smsapi.example.com#x" },
		"port":               func(c *config) { c.URL = "https://smsapi.example.com:99999" },
		"full API URL":       func(c *config) { c.URL += "/sms/batchSendSms/v1" },
		"no key":             func(c *config) { c.AppKey = "" },
		"quote in key":       func(c *config) { c.AppKey = `a"b` },
		"no secret":          func(c *config) { c.AppSecret = "" },
		"no sender":          func(c *config) { c.Sender = "" },
		"long sender":        func(c *config) { c.Sender = strings.Repeat("1", 22) },
		"no template":        func(c *config) { c.TemplateID = "" },
		"long template":      func(c *config) { c.TemplateID = strings.Repeat("a", 33) },
		"bad language":       func(c *config) { c.TemplateIDs = map[string]string{"not a tag!": "t"} },
		"empty lang tpl":     func(c *config) { c.TemplateIDs = map[string]string{"en": ""} },
		"relative callback":  func(c *config) { c.StatusCallback = "/report" },
		"control in sig":     func(c *config) { c.Signature = "a\nb" },
		"negative timeout":   func(c *config) { c.Timeout = -time.Second },
		"http look-alike IP": func(c *config) { c.URL = "http://127.0.0.1.example.com" },
	} {
		cfg := good
		edit(&cfg)
		if _, err := cfg.new(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "notify: huaweicloud: ") || strings.Contains(err.Error(), "p@") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost", "http://[::1]:80/prefix"} {
		cfg := good
		cfg.URL = u
		if _, err := cfg.new(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// A proxy (or the service) that echoes the request's headers in its
// answer brings no credential into the error: neither the X-WSSE header,
// its digest, nor the app secret.
func TestEchoedCredentials(t *testing.T) {
	const appSecret = "Sx/9+q=Zr8wKdh3LmP0tYv2"
	var header string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get("X-WSSE")
		desc := "rejected X-WSSE: " + header + "; Authorization: " + r.Header.Get("Authorization") +
			"; secret " + url.QueryEscape(appSecret) + "; to 86 136-1234-5678"
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"code":"E000620","description":%q}`, desc)
	}))
	defer srv.Close()
	n, err := config{App: huaweicloud.App{URL: srv.URL, AppKey: "c8RWg3ggEcyd4D3p", AppSecret: appSecret, Sender: "x", TemplateID: "t"}}.new()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	err = n.Notify(context.Background(), message("zh-CN"))
	if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "E000620") {
		t.Fatalf("err = %v", err)
	}
	digest := regexp.MustCompile(`PasswordDigest="([^"]+)"`).FindStringSubmatch(header)[1]
	for _, leak := range []string{appSecret, url.QueryEscape(appSecret), digest, header, "1234-5678", "c8RWg3ggEcyd4D3p"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q quotes %q", err, leak)
		}
	}
}
