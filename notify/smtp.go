package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vcodekit/vcode/verifier"
)

// SMTPSecurity is how the connection to the mail server is protected.
type SMTPSecurity int

// The security modes.
const (
	// StartTLS upgrades a plain connection with STARTTLS (port 587). If the
	// server does not offer it, delivery fails, except to a loopback
	// server, which may be a local relay without TLS.
	StartTLS SMTPSecurity = iota
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS
	// Plain never uses TLS; allowed only for loopback servers.
	Plain
)

// DefaultSMTPTimeout bounds a whole delivery unless SMTPConfig says
// otherwise.
const DefaultSMTPTimeout = 10 * time.Second

// SMTPConfig configures an SMTP notifier.
type SMTPConfig struct {
	// Addr is the server's host:port.
	Addr string
	// Security is StartTLS (the default), ImplicitTLS or Plain.
	Security SMTPSecurity
	// Username and Password, when set, authenticate with AUTH PLAIN, which
	// is sent only over TLS or to a loopback server.
	Username, Password string
	// From is the sender address, optionally with a name:
	// "Example <noreply@example.com>".
	From string
	// Timeout bounds a whole delivery (default 10 s).
	Timeout time.Duration
	// TLSConfig, if set, is used for TLS (its ServerName defaults to the
	// host of Addr).
	TLSConfig *tls.Config
	// Hostname is sent in EHLO (default "localhost").
	Hostname string
}

// SMTP delivers codes by email: a UTF-8 text/plain message whose subject
// and body come from i18n in the request's language, the subject RFC 2047
// encoded so that Chinese survives every mail client.
type SMTP struct {
	cfg  SMTPConfig
	host string
	from *mail.Address
	now  func() time.Time
}

var _ verifier.Notifier = (*SMTP)(nil)

// NewSMTP checks cfg and returns an SMTP notifier. It makes no network
// call.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp address: %w", err)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp from %q: %w", cfg.From, err)
	}
	if cfg.Security == Plain && !isLoopback(host) {
		return nil, errors.New("notify: smtp without TLS is allowed only to a loopback server")
	}
	if cfg.Security < StartTLS || cfg.Security > Plain {
		return nil, fmt.Errorf("notify: unknown smtp security %d", cfg.Security)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	return &SMTP{cfg: cfg, host: host, from: from, now: time.Now}, nil
}

// ParseSMTPURL reads a configuration from a URL:
//
//	smtp://user:pass@mail.example.com:587?from=noreply@example.com   STARTTLS
//	smtps://user:pass@mail.example.com:465?from=noreply@example.com  implicit TLS
//	smtp://127.0.0.1:25?from=noreply@example.com&tls=none            plain, loopback only
//
// The port defaults to 587 for smtp and 465 for smtps.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("notify: smtp URL: %w", err)
	}
	var cfg SMTPConfig
	port := "587"
	switch u.Scheme {
	case "smtp":
		cfg.Security = StartTLS
		if u.Query().Get("tls") == "none" {
			cfg.Security = Plain
		}
	case "smtps":
		cfg.Security, port = ImplicitTLS, "465"
	default:
		return SMTPConfig{}, fmt.Errorf("notify: smtp URL scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return SMTPConfig{}, errors.New("notify: smtp URL has no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	cfg.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	cfg.From = u.Query().Get("from")
	if cfg.From == "" {
		return SMTPConfig{}, errors.New("notify: smtp URL needs ?from=address")
	}
	return cfg, nil
}

// Notify implements verifier.Notifier.
func (s *SMTP) Notify(ctx context.Context, m verifier.Message) error {
	if m.Channel != verifier.Email {
		return fmt.Errorf("notify: smtp cannot deliver %q: %w", m.Channel, verifier.ErrNotAllowed)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("notify: smtp recipient: %w", err)
	}
	msg := s.compose(m, to)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.send(ctx, to.Address, msg); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	return nil
}

// compose writes the message: headers with an encoded subject, and the body
// as quoted-printable UTF-8.
func (s *SMTP) compose(m verifier.Message, to *mail.Address) []byte {
	var b bytes.Buffer
	var id [12]byte
	rand.Read(id[:])
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", s.from.String())
	header("To", to.String())
	header("Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+s.from.Address[strings.LastIndexByte(s.from.Address, '@')+1:]+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Content-Language", m.Language.String())
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

func (s *SMTP) send(ctx context.Context, to string, msg []byte) error {
	tlsCfg := s.cfg.TLSConfig.Clone()
	if tlsCfg == nil {
		tlsCfg = &tls.Config{}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = s.host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	// Close the connection if the context ends mid-conversation, so that
	// net/smtp's blocking calls return.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if s.cfg.Security == ImplicitTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(s.cfg.Hostname); err != nil {
		return err
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return err
			}
		} else if !isLoopback(s.host) {
			return errors.New("server does not offer STARTTLS")
		}
	}
	if s.cfg.Username != "" {
		// net/smtp's PlainAuth itself refuses to send the password
		// unencrypted to anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// String describes the notifier without its password.
func (s *SMTP) String() string {
	return "smtp " + s.cfg.Addr + " as " + strconv.Quote(s.cfg.Username)
}
