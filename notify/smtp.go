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
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
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

// What is read from a mail server: a reply line is at most 512 octets
// with its CRLF (RFC 5321, section 4.5.3.1.5), and a whole conversation,
// TLS handshake included, reads a few KiB.
const (
	maxSMTPLine = 512
	maxSMTPRead = 256 << 10
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
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ delivery.ChannelNotifier = (*SMTP)(nil)

// Supports reports whether ch is Email, the one channel SMTP delivers: a
// Verifier whose notifier is an SMTP refuses phone numbers (403
// USG.201060008) before any code exists.
func (s *SMTP) Supports(ch delivery.Channel) bool { return ch == delivery.Email }

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
//
// Its errors never quote the URL, its user name, password or query: the
// URL holds a password, and the error is printed at start. A user name or
// password with a special character ('/', '?', '#', '@', ':' in the user
// name, ...) must be percent-encoded; otherwise the password spills into the
// host, path or query, which is reported as malformed.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	// url.Parse's errors quote the whole URL, and their inner errors may
	// quote a fragment of a misplaced password (an invalid port or escape):
	// say neither.
	malformed := errors.New("notify: smtp URL is malformed (percent-encode special characters in the user name and password)")
	u, err := url.Parse(raw)
	if err != nil {
		return SMTPConfig{}, malformed
	}
	// An opaque URL ("user:pass@host", without smtp://) takes the user name
	// for its scheme; an '@' in the path, fragment or a query key is the rest
	// of a password that was not percent-encoded.
	if u.Opaque != "" || strings.Contains(u.Path, "@") || strings.Contains(u.Fragment, "@") {
		return SMTPConfig{}, malformed
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return SMTPConfig{}, malformed
	}
	for k := range query {
		if strings.Contains(k, "@") {
			return SMTPConfig{}, malformed
		}
		if k != "from" && k != "tls" {
			return SMTPConfig{}, errors.New("notify: smtp URL parameters are from= and tls=none; it has another")
		}
	}
	if tls := query.Get("tls"); query.Has("tls") && (tls != "none" || u.Scheme != "smtp") {
		return SMTPConfig{}, errors.New("notify: smtp URL: tls=none is the one tls value, and only for smtp://")
	}
	var cfg SMTPConfig
	port := "587"
	switch u.Scheme {
	case "smtp":
		cfg.Security = StartTLS
		if query.Get("tls") == "none" {
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
	cfg.From = query.Get("from")
	if cfg.From == "" {
		return SMTPConfig{}, errors.New("notify: smtp URL needs ?from=address")
	}
	return cfg, nil
}

// Notify implements delivery.Notifier.
//
// The recipient is m.To exactly as given, which must be a normalised
// address as package contact makes it (a dot-atom local part, a host name):
// that address is what the code is bound to and what the limits count, so
// it is also what goes into RCPT TO. Anything else is refused unsent.
//
// A failure is delivery.Undelivered when the message certainly did not
// leave: the server could not be reached or refused the message at any
// step up to and including its answer to the end of DATA. A connection
// lost after the end of DATA was sent, before the server's answer, is
// ambiguous (the server may have accepted it). Once the server answered
// 250 to the DATA, the message is delivered: a failure at QUIT does not
// change that.
//
// What the server sends is read with a bound: a reply line (the greeting
// included) longer than RFC 5321's 512 octets, where it crosses the
// connection in the clear, or more than 256 KiB in the whole
// conversation (TLS records included), ends the delivery with an error
// wrapping delivery.ErrAnswerTooLong, certain or ambiguous as its moment says.
func (s *SMTP) Notify(ctx context.Context, m delivery.Message) error {
	if m.Channel != delivery.Email {
		return fmt.Errorf("notify: smtp cannot deliver %q: %w", m.Channel, delivery.ErrNotAllowed)
	}
	if c, err := contact.Parse(m.To, ""); err != nil || c.Kind != contact.Email || c.Value != m.To {
		return delivery.Undelivered(errors.New("notify: smtp recipient is not a normalised email address"))
	}
	msg := s.compose(m, &mail.Address{Address: m.To})
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.send(ctx, m.To, msg); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	return nil
}

// compose writes the message: headers with an encoded subject, and the body
// as quoted-printable UTF-8.
func (s *SMTP) compose(m delivery.Message, to *mail.Address) []byte {
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

// send runs one SMTP conversation. Every error before the end of DATA is
// certain (delivery.Undelivered); see Notify.
func (s *SMTP) send(ctx context.Context, to string, msg []byte) error {
	ambiguous, err := s.converse(ctx, to, msg)
	if err == nil || ambiguous {
		return err
	}
	return delivery.Undelivered(err)
}

// tlsConfig is the TLS configuration of a conversation: the caller's,
// copied, naming the server's host unless it names another.
func (s *SMTP) tlsConfig() *tls.Config {
	tlsCfg := s.cfg.TLSConfig.Clone()
	if tlsCfg == nil {
		tlsCfg = &tls.Config{}
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = s.host
	}
	return tlsCfg
}

// converse speaks SMTP; ambiguous reports an error after the end of DATA
// was sent that is not the server's refusal.
func (s *SMTP) converse(ctx context.Context, to string, msg []byte) (ambiguous bool, err error) {
	tlsCfg := s.tlsConfig()
	dial := s.dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	bounded := &boundedConn{Conn: conn, left: maxSMTPRead, lines: s.cfg.Security != ImplicitTLS}
	conn = bounded
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
			return false, err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if err := c.Hello(s.cfg.Hostname); err != nil {
		return false, err
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			bounded.startTLS()
			if err := c.StartTLS(tlsCfg); err != nil {
				return false, err
			}
		} else if !isLoopback(s.host) {
			return false, errors.New("server does not offer STARTTLS")
		}
	}
	if s.cfg.Username != "" {
		// net/smtp's PlainAuth itself refuses to send the password
		// unencrypted to anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return false, err
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return false, err
	}
	if err := c.Rcpt(to); err != nil {
		return false, err
	}
	w, err := c.Data()
	if err != nil {
		return false, err
	}
	if _, err := w.Write(msg); err != nil {
		return false, err
	}
	if err := w.Close(); err != nil {
		// A reply (4xx, 5xx) is the server's refusal; anything else
		// lost the answer, and the message may have been accepted.
		var reply *textproto.Error
		return !errors.As(err, &reply), err
	}
	// 250: the message is the server's. A QUIT that fails now changes
	// nothing.
	c.Quit()
	return false, nil
}

// boundedConn is a connection to a mail server that reads at most left
// bytes (what the greeting and replies hold, and over TLS its records) and,
// while lines is set, no line longer than maxSMTPLine: net/smtp's
// textproto reader would hold all of an endless line or reply.
//
// Lines are checked where the replies cross this connection in the
// clear: on a plain connection, and before STARTTLS. Inside TLS they are
// encrypted, and the bound on the whole conversation holds them.
//
// While it reads lines it hands on whole lines only, holding back the
// start of one until its LF arrives: bufio's ReadLine returns the bytes
// it has with no error when a read fails after some of a line, so a reply
// cut at the bound ("250 " and the first of an endless line) would read
// as a reply of its own.
type boundedConn struct {
	net.Conn
	left  int
	lines bool
	tls   int // writes to go until TLS records follow; 0: none expected
	err   error
	buf   [4 << 10]byte // buf[r:w]: read from the server, not handed on yet
	r, w  int
}

var (
	errSMTPTooLong     = fmt.Errorf("%w: the mail server sent more than %d KiB", delivery.ErrAnswerTooLong, maxSMTPRead>>10)
	errSMTPLineTooLong = fmt.Errorf("%w: a reply line from the mail server is longer than %d octets", delivery.ErrAnswerTooLong, maxSMTPLine)
)

func (c *boundedConn) Read(p []byte) (int, error) {
	for {
		held := c.buf[c.r:c.w]
		end := len(held)
		if c.lines {
			// With its LF, a line is at most maxSMTPLine octets.
			end = bytes.IndexByte(held[:min(len(held), maxSMTPLine)], '\n') + 1
			if end == 0 && len(held) >= maxSMTPLine {
				c.err = errSMTPLineTooLong
			}
		}
		if end == 0 && c.err != nil && c.err != errSMTPLineTooLong {
			end = len(held) // what came before the connection's end
		}
		if end > 0 {
			n := copy(p, held[:end])
			c.r += n
			return n, nil
		}
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
}

// fill reads what the server sends next into buf, after what it holds.
func (c *boundedConn) fill() {
	c.w = copy(c.buf[:], c.buf[c.r:c.w])
	c.r = 0
	if c.left <= 0 {
		c.err = errSMTPTooLong
		return
	}
	room := c.buf[c.w:]
	if len(room) > c.left {
		room = room[:c.left]
	}
	n, err := c.Conn.Read(room)
	c.w += n
	c.left -= n
	if err != nil {
		c.err = err
	}
}

// startTLS says that net/smtp's StartTLS comes: its first write is the
// STARTTLS command, whose reply is a line; its second is the TLS
// handshake, and from then on what is read is TLS records, not lines.
func (c *boundedConn) startTLS() { c.tls = 2 }

func (c *boundedConn) Write(p []byte) (int, error) {
	if c.tls > 0 {
		if c.tls--; c.tls == 0 {
			c.lines = false
		}
	}
	return c.Conn.Write(p)
}

// String describes the notifier without its password.
func (s *SMTP) String() string {
	return "smtp " + s.cfg.Addr + " as " + strconv.Quote(s.cfg.Username)
}
