package huaweicloud

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

// What printing a Config shows of its secrets: "redacted" when set.
const redacted = "redacted"

func hide(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// shownURL is what a Config shows of a URL: the scheme, the host and,
// with path, the path; anything else (user information, a query, a
// fragment, a path without path) reads "redacted", and so does a URL
// that does not parse.
func shownURL(raw string, path bool) string {
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
	if path {
		s.Path = u.Path
	} else if u.Path != "" && u.Path != "/" {
		s.Path = "/" + redacted
	}
	if u.RawQuery != "" || u.ForceQuery {
		s.RawQuery = redacted
	}
	if u.Fragment != "" {
		s.Fragment = redacted
	}
	return s.String()
}

// shown is the Config as printed: the secrets redacted.
func (cfg Config) shown() Config {
	cfg.URL = shownURL(cfg.URL, true)
	cfg.AppKey = hide(cfg.AppKey)
	cfg.AppSecret = hide(cfg.AppSecret)
	cfg.StatusCallback = shownURL(cfg.StatusCallback, false)
	return cfg
}

func (cfg Config) client() string {
	if cfg.Client == nil {
		return "<nil>"
	}
	return "set"
}

// String prints the Config as %+v would, with AppKey and AppSecret
// redacted and the URLs cut (see Config).
func (cfg Config) String() string {
	c := cfg.shown()
	return fmt.Sprintf("huaweicloud.Config{URL:%s AppKey:%s AppSecret:%s Sender:%s TemplateID:%s TemplateIDs:%v CodeOnly:%t Signature:%s StatusCallback:%s Timeout:%v Client:%s}",
		c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID, c.TemplateIDs, c.CodeOnly, c.Signature, c.StatusCallback, c.Timeout, cfg.client())
}

// GoString prints the Config as %#v would, with AppKey and AppSecret
// redacted and the URLs cut (see Config); of Client only whether it is
// set.
func (cfg Config) GoString() string {
	c := cfg.shown()
	client := "(*http.Client)(nil)"
	if cfg.Client != nil {
		client = "&http.Client{…}"
	}
	return fmt.Sprintf("huaweicloud.Config{URL:%q, AppKey:%q, AppSecret:%q, Sender:%q, TemplateID:%q, TemplateIDs:%#v, CodeOnly:%t, Signature:%q, StatusCallback:%q, Timeout:%d, Client:%s}",
		c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID, c.TemplateIDs, c.CodeOnly, c.Signature, c.StatusCallback, c.Timeout, client)
}

// Format makes every verb print String (%#v GoString), so that no verb
// (%d, %x, …) prints the fields themselves.
func (cfg Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, cfg.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), cfg.String())
}

// LogValue makes log/slog log the Config as a group of its fields, with
// AppKey and AppSecret redacted and the URLs cut (see Config).
func (cfg Config) LogValue() slog.Value {
	c := cfg.shown()
	langs := make([]string, 0, len(c.TemplateIDs))
	for l := range c.TemplateIDs {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	ids := make([]string, len(langs))
	for i, l := range langs {
		ids[i] = l + "=" + c.TemplateIDs[l]
	}
	return slog.GroupValue(
		slog.String("URL", c.URL),
		slog.String("AppKey", c.AppKey),
		slog.String("AppSecret", c.AppSecret),
		slog.String("Sender", c.Sender),
		slog.String("TemplateID", c.TemplateID),
		slog.String("TemplateIDs", strings.Join(ids, ",")),
		slog.Bool("CodeOnly", c.CodeOnly),
		slog.String("Signature", c.Signature),
		slog.String("StatusCallback", c.StatusCallback),
		slog.Duration("Timeout", c.Timeout),
		slog.Bool("Client", cfg.Client != nil),
	)
}

// MarshalJSON encodes the Config as printed, for loggers that encode
// values as JSON: AppKey and AppSecret redacted, the URLs cut, and of
// Client only whether it is set. A Config is not meant to be stored.
func (cfg Config) MarshalJSON() ([]byte, error) {
	c := cfg.shown()
	return json.Marshal(struct {
		URL, AppKey, AppSecret, Sender, TemplateID string
		TemplateIDs                                map[string]string `json:",omitempty"`
		CodeOnly                                   bool
		Signature, StatusCallback                  string
		Timeout                                    string
		Client                                     bool
	}{c.URL, c.AppKey, c.AppSecret, c.Sender, c.TemplateID, c.TemplateIDs, c.CodeOnly, c.Signature, c.StatusCallback, c.Timeout.String(), cfg.Client != nil})
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
