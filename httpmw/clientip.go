package httpmw

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP returns the address the per-IP quotas count, as a string:
// RemoteAddr's host, or, when RemoteAddr is a trusted proxy, the nearest
// address in X-Forwarded-For that is not one. IPv6 addresses are grouped by
// their /64, which one subscriber usually holds whole.
//
// A RemoteAddr that holds no IP (a Unix socket listener says "@" or
// nothing) is counted as it is, "peer:" and the raw value: all such peers
// share one quota. An empty client IP would switch the per-IP quotas off,
// and a listener must not do that silently.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	addr, ok := parseHostPort(r.RemoteAddr)
	if !ok {
		return "peer:" + r.RemoteAddr
	}
	if len(trusted) > 0 && isTrusted(addr, trusted) {
		// Walk the chain from the nearest hop back; the first address
		// that no trusted proxy vouches for is the client.
		hops := r.Header.Values("X-Forwarded-For")
		for i := len(hops) - 1; i >= 0; i-- {
			parts := strings.Split(hops[i], ",")
			for j := len(parts) - 1; j >= 0; j-- {
				hop, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
				if err != nil {
					return canonical(addr) // a garbled chain: trust only what we saw
				}
				addr = hop.Unmap()
				if !isTrusted(addr, trusted) {
					return canonical(addr)
				}
			}
		}
	}
	return canonical(addr)
}

func parseHostPort(s string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = s
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func canonical(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
