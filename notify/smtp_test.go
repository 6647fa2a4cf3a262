package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/internal/smtptest"
	"github.com/vcodekit/vcode/notify"
)

// mailServer is a real SMTP server (emersion/go-smtp) on loopback that
// keeps what it receives.
type mailServer struct {
	addr   string
	roots  *x509.CertPool
	mu     sync.Mutex
	msgs   []received
	authed []string
}

type received struct {
	from, to string
	data     []byte
	overTLS  bool
}

type mailBackend struct{ s *mailServer }

func (b mailBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{s: b.s, conn: c}, nil
}

type mailSession struct {
	s        *mailServer
	conn     *smtp.Conn
	from, to string
}

func (m *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (m *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "vcode" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		m.s.mu.Lock()
		m.s.authed = append(m.s.authed, user)
		m.s.mu.Unlock()
		return nil
	}), nil
}
func (m *mailSession) Mail(from string, _ *smtp.MailOptions) error { m.from = from; return nil }
func (m *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error   { m.to = to; return nil }
func (m *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.s.mu.Lock()
	_, overTLS := m.conn.TLSConnectionState()
	m.s.msgs = append(m.s.msgs, received{m.from, m.to, b, overTLS})
	m.s.mu.Unlock()
	return nil
}
func (m *mailSession) Reset()        {}
func (m *mailSession) Logout() error { return nil }

// startMailServer serves on loopback with security: "starttls" offers
// STARTTLS, "implicit" speaks TLS at once, "plain" offers no TLS.
func startMailServer(t *testing.T, security string) *mailServer {
	t.Helper()
	cert, roots := selfSigned(t)
	ms := &mailServer{roots: roots}
	srv := smtp.NewServer(mailBackend{ms})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	var ln net.Listener
	var err error
	switch security {
	case "starttls":
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	case "implicit":
		ln, err = tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	case "plain":
		srv.AllowInsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ms
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "vcode test mail server"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, roots
}

func emailMessage(lang language.Tag) delivery.Message {
	d := i18n.Data{Code: "753927", Validity: 5 * time.Minute}
	return delivery.Message{
		Channel: delivery.Email, To: "alice@example.com", Code: "753927", Language: lang,
		Validity: 5 * time.Minute, Subject: i18n.Default().EmailSubject(lang, d), Text: i18n.Default().EmailBody(lang, d),
	}
}

func TestSMTPDelivers(t *testing.T) {
	tests := []struct {
		name     string
		security notify.SMTPSecurity
		server   string
		lang     language.Tag
	}{
		{"STARTTLS, Chinese", notify.StartTLS, "starttls", i18n.ZhCN},
		{"implicit TLS, English", notify.ImplicitTLS, "implicit", i18n.EnUS},
		{"plain on loopback", notify.Plain, "plain", i18n.ZhCN},
		{"STARTTLS mode, loopback relay without TLS", notify.StartTLS, "plain", i18n.EnUS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := startMailServer(t, tt.server)
			n, err := notify.NewSMTP(notify.SMTPConfig{
				Addr: ms.addr, Security: tt.security, Username: "vcode", Password: "s3cret",
				From: "Example <noreply@example.com>", TLSConfig: &tls.Config{RootCAs: ms.roots},
			})
			if err != nil {
				t.Fatal(err)
			}
			m := emailMessage(tt.lang)
			if err := n.Notify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			ms.mu.Lock()
			defer ms.mu.Unlock()
			if len(ms.msgs) != 1 || len(ms.authed) != 1 {
				t.Fatalf("%d messages, %d logins", len(ms.msgs), len(ms.authed))
			}
			got := ms.msgs[0]
			if got.from != "noreply@example.com" || got.to != "alice@example.com" {
				t.Fatalf("envelope %s -> %s", got.from, got.to)
			}
			if got.overTLS != (tt.server != "plain") {
				t.Fatalf("message over TLS: %v, server %s", got.overTLS, tt.server)
			}
			checkMessage(t, got.data, m)
		})
	}
}

// checkMessage parses the received message: headers decode, the body is
// UTF-8 text holding the code, in the message's language.
func checkMessage(t *testing.T, data []byte, m delivery.Message) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, data)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Fatalf("Subject %q decodes to %q (%v), want %q", h.Get("Subject"), subject, err, m.Subject)
	}
	if m.Language == i18n.ZhCN && !strings.HasPrefix(h.Get("Subject"), "=?UTF-8?b?") {
		t.Fatalf("Chinese subject not RFC 2047 encoded: %q", h.Get("Subject"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	if h.Get("MIME-Version") != "1.0" || h.Get("Content-Language") != m.Language.String() {
		t.Fatalf("headers %v", h)
	}
	if _, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Fatalf("Date %q: %v", h.Get("Date"), err)
	}
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || from.Address != "noreply@example.com" || from.Name != "Example" {
		t.Fatalf("From %q", h.Get("From"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	if text != m.Text || !strings.Contains(text, m.Code) {
		t.Fatalf("body %q, want %q", text, m.Text)
	}
}

func TestSMTPFailures(t *testing.T) {
	starttls := startMailServer(t, "starttls")
	plain := startMailServer(t, "plain")
	tests := []struct {
		name string
		cfg  notify.SMTPConfig
	}{
		{"wrong password", notify.SMTPConfig{Addr: starttls.addr, Username: "vcode", Password: "nope", From: "noreply@example.com", TLSConfig: &tls.Config{RootCAs: starttls.roots}}},
		{"untrusted certificate", notify.SMTPConfig{Addr: starttls.addr, From: "noreply@example.com"}},
		{"implicit TLS against plain", notify.SMTPConfig{Addr: plain.addr, Security: notify.ImplicitTLS, From: "noreply@example.com", Timeout: time.Second}},
		{"nothing listening", notify.SMTPConfig{Addr: "127.0.0.1:1", From: "noreply@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := notify.NewSMTP(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Notify(context.Background(), emailMessage(i18n.EnUS)); err == nil {
				t.Fatal("delivered")
			}
		})
	}
	// A server that accepts and then says nothing: the timeout ends it.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	n, _ := notify.NewSMTP(notify.SMTPConfig{Addr: ln.Addr().String(), From: "noreply@example.com", Timeout: 300 * time.Millisecond})
	start := time.Now()
	if err := n.Notify(context.Background(), emailMessage(i18n.EnUS)); err == nil {
		t.Fatal("a silent server took the mail")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("a silent server held the delivery for %v", time.Since(start))
	}
	// SMS is not for SMTP.
	if err := n.Notify(context.Background(), delivery.Message{Channel: delivery.SMS}); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Fatalf("SMS through SMTP: %v", err)
	}
}

func TestSMTPConfig(t *testing.T) {
	for name, cfg := range map[string]notify.SMTPConfig{
		"no port":          {Addr: "mail.example.com", From: "a@example.com"},
		"bad from":         {Addr: "mail.example.com:587", From: "not an address"},
		"plain to remote":  {Addr: "mail.example.com:25", Security: notify.Plain, From: "a@example.com"},
		"unknown security": {Addr: "127.0.0.1:25", Security: 9, From: "a@example.com"},
	} {
		if _, err := notify.NewSMTP(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url  string
		want notify.SMTPConfig
	}{
		{"smtp://user:p%40ss@mail.example.com:587?from=noreply@example.com",
			notify.SMTPConfig{Addr: "mail.example.com:587", Security: notify.StartTLS, Username: "user", Password: "p@ss", From: "noreply@example.com"}},
		{"smtp://mail.example.com?from=noreply@example.com",
			notify.SMTPConfig{Addr: "mail.example.com:587", Security: notify.StartTLS, From: "noreply@example.com"}},
		{"smtps://u:p@mail.example.com?from=a@example.com",
			notify.SMTPConfig{Addr: "mail.example.com:465", Security: notify.ImplicitTLS, Username: "u", Password: "p", From: "a@example.com"}},
		{"smtp://127.0.0.1:2525?from=a@example.com&tls=none",
			notify.SMTPConfig{Addr: "127.0.0.1:2525", Security: notify.Plain, From: "a@example.com"}},
	}
	for _, tt := range tests {
		got, err := notify.ParseSMTPURL(tt.url)
		if err != nil || got.Addr != tt.want.Addr || got.Security != tt.want.Security ||
			got.Username != tt.want.Username || got.Password != tt.want.Password || got.From != tt.want.From {
			t.Errorf("%s: %+v, %v", tt.url, got, err)
		}
	}
	for _, bad := range []string{"http://mail.example.com?from=a@b.c", "smtp://mail.example.com", "smtp://?from=a@b.c", "::",
		"smtp://127.0.0.1:25?from=a@b.c&tls=off", "smtps://mail.example.com?from=a@b.c&tls=none",
		"smtp://mail.example.com?from=a@b.c&timeout=5s"} {
		if _, err := notify.ParseSMTPURL(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// TestSMTPOutcomes: which failures are certain (delivery.Undelivered: the
// limits are given back) and which may have delivered. Only the server's
// own refusal, or a failure before the end of DATA, is certain; a 250 to
// the DATA is a delivery, whatever happens at QUIT.
func TestSMTPOutcomes(t *testing.T) {
	const (
		delivered = "delivered"
		refused   = "refused"
		ambiguous = "ambiguous"
	)
	tests := []struct {
		name    string
		script  func(*smtptest.Server)
		verdict string
		taken   int
	}{
		{"accepted", func(*smtptest.Server) {}, delivered, 1},
		{"accepted, connection dropped at QUIT", func(s *smtptest.Server) { s.DropAtQuit = true }, delivered, 1},
		{"recipient refused", func(s *smtptest.Server) { s.RefuseRcpt = true }, refused, 0},
		{"refused at the end of DATA", func(s *smtptest.Server) { s.OnEnd = func(int) smtptest.End { return smtptest.Refuse } }, refused, 0},
		{"taken, connection dropped before the answer", func(s *smtptest.Server) { s.OnEnd = func(int) smtptest.End { return smtptest.TakeAndDrop } }, ambiguous, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			tt.script(srv)
			n, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, Security: notify.Plain, From: "noreply@example.com", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = n.Notify(context.Background(), emailMessage(i18n.EnUS))
			switch {
			case tt.verdict == delivered && err != nil,
				tt.verdict == refused && !errors.Is(err, delivery.ErrUndelivered),
				tt.verdict == ambiguous && (err == nil || errors.Is(err, delivery.ErrUndelivered)):
				t.Fatalf("Notify = %v, want %s", err, tt.verdict)
			}
			if got := len(srv.Taken()); got != tt.taken {
				t.Fatalf("server took %d messages, want %d", got, tt.taken)
			}
			if rcpts := srv.Rcpts(); len(rcpts) != 1 || rcpts[0] != "TO:<alice@example.com>" {
				t.Fatalf("RCPT arguments %q, want exactly the normalised address", rcpts)
			}
		})
	}
	n, _ := notify.NewSMTP(notify.SMTPConfig{Addr: "127.0.0.1:1", Security: notify.Plain, From: "noreply@example.com"})
	if err := n.Notify(context.Background(), emailMessage(i18n.EnUS)); !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("nothing listening: %v, want Undelivered", err)
	}
}

// TestSMTPRecipientIsTheNormalisedAddress: only the normalised address
// that the code is bound to goes into RCPT TO; anything else (a quoted or
// routed local part, an injected ESMTP parameter, a form that is not
// normalised) is refused before a connection is made.
func TestSMTPRecipientIsTheNormalisedAddress(t *testing.T) {
	srv := smtptest.Start(t)
	n, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, Security: notify.Plain, From: "noreply@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{
		`"attacker@evil.example"@victim.example`,
		"attacker%evil.example@victim.example",
		"evil.example!attacker@victim.example",
		"a@victim.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@evil.example",
		"Alice@Example.com",
		"Alice <alice@example.com>",
		" alice@example.com",
	} {
		m := emailMessage(i18n.EnUS)
		m.To = to
		if err := n.Notify(context.Background(), m); !errors.Is(err, delivery.ErrUndelivered) {
			t.Errorf("To %q: %v, want Undelivered", to, err)
		}
	}
	if rcpts := srv.Rcpts(); len(rcpts) != 0 {
		t.Fatalf("RCPT sent for refused recipients: %q", rcpts)
	}
}
