package huaweicloud

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
)

// What printing an App shows of its secrets: "redacted" when set.
const redacted = "redacted"

func hide(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// shownURL is what an App shows of a URL: the scheme, the host and the
// path; anything else (user information, a query, a fragment) reads
// "redacted", and so does a URL that does not parse.
func shownURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return redacted
	}
	s := &url.URL{Scheme: u.Scheme, Host: u.Host}
	if u.User != nil {
		s.User = url.User(redacted)
	}
	s.Path = u.Path
	if u.RawQuery != "" || u.ForceQuery {
		s.RawQuery = redacted
	}
	if u.Fragment != "" {
		s.Fragment = redacted
	}
	return s.String()
}

// shown is the App as printed: the secrets redacted.
func (a App) shown() App {
	a.URL = shownURL(a.URL)
	a.AppKey = hide(a.AppKey)
	a.AppSecret = hide(a.AppSecret)
	return a
}

// String prints the App as %+v would, with AppKey and AppSecret redacted
// and the URL cut (see App).
func (a App) String() string {
	c := a.shown()
	return fmt.Sprintf("huaweicloud.App{URL:%s AppKey:%s AppSecret:%s Sender:%s TemplateID:%s}",
		c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID)
}

// GoString prints the App as %#v would, with AppKey and AppSecret
// redacted and the URL cut (see App).
func (a App) GoString() string {
	c := a.shown()
	return fmt.Sprintf("huaweicloud.App{URL:%q, AppKey:%q, AppSecret:%q, Sender:%q, TemplateID:%q}",
		c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID)
}

// Format makes every verb print String (%#v GoString), so that no verb
// (%d, %x, …) prints the fields themselves.
func (a App) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, a.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), a.String())
}

// LogValue makes log/slog log the App as a group of its fields, with
// AppKey and AppSecret redacted and the URL cut (see App).
func (a App) LogValue() slog.Value {
	c := a.shown()
	return slog.GroupValue(
		slog.String("URL", c.URL),
		slog.String("AppKey", c.AppKey),
		slog.String("AppSecret", c.AppSecret),
		slog.String("Sender", c.Sender),
		slog.String("TemplateID", c.TemplateID),
	)
}

// MarshalJSON encodes the App as printed, for loggers that encode values
// as JSON: AppKey and AppSecret redacted, the URL cut. An App is not meant
// to be stored.
func (a App) MarshalJSON() ([]byte, error) {
	c := a.shown()
	return json.Marshal(struct{ URL, AppKey, AppSecret, Sender, TemplateID string }{c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID})
}

// GoString prints the Notifier for %#v: as String, no credential.
func (n *Notifier) GoString() string {
	return fmt.Sprintf("&huaweicloud.Notifier{Host:%q, Sender:%q, Templates:%d}", n.host, n.cfg.Sender, 1+len(n.ids))
}

// LogValue makes log/slog log the Notifier as String describes it.
func (n *Notifier) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("service", "huaweicloud"),
		slog.String("host", n.host),
		slog.String("sender", n.cfg.Sender),
		slog.Int("templates", 1+len(n.ids)),
	)
}
