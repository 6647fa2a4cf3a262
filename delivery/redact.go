package delivery

import "net/url"

// RedactURL returns raw with the parts that may carry credentials
// replaced: the user info and the query each become "redacted", and the
// fragment is dropped. A URL that does not parse is replaced whole. A
// notifier uses it for the URLs it quotes in errors and logs.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "redacted-url"
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery = "redacted"
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
