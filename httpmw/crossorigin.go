package httpmw

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrCrossOrigin is the refusal of a browser's request from another
// origin (403 CodeForbidden, message i18n.CrossOrigin): its Sec-Fetch-Site
// header says cross-site or same-site, or, from a browser that sends no
// Sec-Fetch-Site, its Origin header names another host than the request's
// Host, and the origin is not trusted (WithTrustedOrigins). Every Handler
// checks it, right after the method and before the credentials and the
// body: a session cookie or a client certificate comes with such a request
// whoever made the page that sent it, so a hostile page could otherwise
// ask for codes, and spend the user's quotas, in the user's name.
var ErrCrossOrigin = errors.New("httpmw: cross-origin request refused")

// crossOrigin applies p's checks (net/http's CrossOriginProtection) to r.
// The refusal is ErrCrossOrigin itself, which costs no allocation: what
// net/http's error adds (which header told) is logged nowhere, as a 4xx
// logs no error.
func crossOrigin(p *http.CrossOriginProtection, r *http.Request) error {
	if p.Check(r) != nil {
		return ErrCrossOrigin
	}
	return nil
}

// checkOrigin says what is wrong with origin as a trusted origin: it must
// be an origin as a browser writes it in the Origin header, or it would
// never match one. A wildcard and the null origin are refused: "*" would
// trust every site, and "null" every sandboxed frame and local file.
func checkOrigin(origin string) error {
	switch {
	case origin == "":
		return errors.New("empty origin")
	case strings.Contains(origin, "*"):
		return fmt.Errorf("%q: no wildcards; name each origin (scheme://host[:port])", origin)
	case origin == "null":
		return errors.New(`"null" is the origin of every sandboxed frame and local file, never one site`)
	}
	if err := new(http.CrossOriginProtection).AddTrustedOrigin(origin); err != nil {
		return err
	}
	u, _ := url.Parse(origin) // AddTrustedOrigin parsed it
	host := u.Host
	if u.Port() == "" {
		host = strings.TrimSuffix(host, ":")
	}
	if port := u.Port(); port == "443" && u.Scheme == "https" || port == "80" && u.Scheme == "http" {
		host = u.Hostname()
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	want := u.Scheme + "://" + strings.ToLower(host)
	for i := 0; i < len(origin); i++ {
		if origin[i] >= 0x80 {
			return fmt.Errorf("%q: write the host name as browsers send it, in ASCII (its xn-- form)", origin)
		}
	}
	if origin != want {
		return fmt.Errorf("%q: browsers send this origin as %q, so it would never match", origin, want)
	}
	return nil
}
