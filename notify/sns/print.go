package sns

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/vcodekit/vcode/delivery"
)

// shown is how a credential is printed: "redacted" when set, "" when not
// (so that a log still tells the SDK's chain from static keys).
func shown(credential string) string {
	if credential == "" {
		return ""
	}
	return "redacted"
}

// printed is what a Config shows: its fields with the credentials
// redacted and the endpoint's user information and query too (New refuses
// them, but a Config may be printed before New sees it).
func (cfg Config) printed() []slog.Attr {
	endpoint := cfg.Endpoint
	if endpoint != "" {
		endpoint = delivery.RedactURL(endpoint)
	}
	return []slog.Attr{
		slog.String("Region", cfg.Region),
		slog.String("AccessKeyID", shown(cfg.AccessKeyID)),
		slog.String("SecretAccessKey", shown(cfg.SecretAccessKey)),
		slog.String("SessionToken", shown(cfg.SessionToken)),
		slog.String("Profile", cfg.Profile),
		slog.String("SenderID", cfg.SenderID),
		slog.String("OriginationNumber", cfg.OriginationNumber),
		slog.String("Endpoint", endpoint),
		slog.Duration("Timeout", cfg.Timeout),
	}
}

// String shows cfg the way %+v shows a struct, with the access key ID, the
// secret access key and the session token as "redacted" when set.
func (cfg Config) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, a := range cfg.printed() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(a.Key + ":" + a.Value.String())
	}
	return b.String() + "}"
}

// GoString shows cfg the way %#v shows a struct, with the credentials as
// "redacted" when set.
func (cfg Config) GoString() string {
	var b strings.Builder
	b.WriteString("sns.Config{")
	for i, a := range cfg.printed() {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Value.Kind() == slog.KindDuration {
			fmt.Fprintf(&b, "%s:%d", a.Key, a.Value.Duration())
		} else {
			b.WriteString(a.Key + ":" + strconv.Quote(a.Value.String()))
		}
	}
	return b.String() + "}"
}

// LogValue makes log/slog show cfg as a group of its fields, with the
// credentials as "redacted" when set.
func (cfg Config) LogValue() slog.Value { return slog.GroupValue(cfg.printed()...) }

// Format prints String for every verb but %#v, which prints GoString: a
// verb such as %d would otherwise print the fields, credentials included.
func (cfg Config) Format(f fmt.State, verb rune) { format(f, verb, cfg.String(), cfg.GoString()) }

// GoString shows n for %#v: its Config, credentials redacted, and the
// endpoint's host.
func (n *Notifier) GoString() string {
	if n == nil {
		return "(*sns.Notifier)(nil)"
	}
	return fmt.Sprintf("&sns.Notifier{Config:%s, Endpoint:%q}", n.cfg.GoString(), n.endpoint)
}

// LogValue makes log/slog show n as String does.
func (n *Notifier) LogValue() slog.Value { return slog.StringValue(n.String()) }

// Format prints String for every verb but %#v, which prints GoString.
func (n *Notifier) Format(f fmt.State, verb rune) { format(f, verb, n.String(), n.GoString()) }

func format(f fmt.State, verb rune, s, gos string) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, gos)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), s)
}
