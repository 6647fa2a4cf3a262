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

// printed is what a Notifier's %#v shows of its settings: the
// credentials redacted, and the endpoint's user information and query too
// (New refuses them; the redaction stands guard all the same).
func (s settings) printed() []slog.Attr {
	endpoint := s.Endpoint
	if endpoint != "" {
		endpoint = delivery.RedactURL(endpoint)
	}
	return []slog.Attr{
		slog.String("Region", s.Region),
		slog.String("AccessKeyID", shown(s.AccessKeyID)),
		slog.String("SecretAccessKey", shown(s.SecretAccessKey)),
		slog.String("SessionToken", shown(s.SessionToken)),
		slog.String("Profile", s.Profile),
		slog.String("SenderID", s.SenderID),
		slog.String("OriginationNumber", s.OriginationNumber),
		slog.String("Endpoint", endpoint),
		slog.Duration("Timeout", s.Timeout),
	}
}

// GoString shows n for %#v: its settings, credentials redacted, and the
// endpoint's host.
func (n *Notifier) GoString() string {
	if n == nil {
		return "(*sns.Notifier)(nil)"
	}
	var b strings.Builder
	b.WriteString("&sns.Notifier{")
	for _, a := range n.cfg.printed() {
		if a.Value.Kind() == slog.KindDuration {
			fmt.Fprintf(&b, "%s:%d, ", a.Key, a.Value.Duration())
		} else {
			b.WriteString(a.Key + ":" + strconv.Quote(a.Value.String()) + ", ")
		}
	}
	fmt.Fprintf(&b, "Host:%q}", n.endpoint)
	return b.String()
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
