package httpmw

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/vcodekit/vcode/internal/clientip"
)

// clientIP returns the address the per-IP quotas count, as a string:
// RemoteAddr's host, or, when RemoteAddr is a trusted proxy, the nearest
// address in X-Forwarded-For that is not one. It is normalised by
// internal/clientip, as the verifier normalises Request.ClientIP: IPv6
// addresses are grouped by their /64, which one subscriber usually holds
// whole.
//
// A RemoteAddr that holds no IP (a Unix socket listener says "@" or
// nothing) is counted as noIP: all such peers share one quota. An empty
// client IP would switch the per-IP quotas off, and a listener must not do
// that silently.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	addr, ok := clientip.Parse(r.RemoteAddr)
	if !ok {
		return noIP
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
					return clientip.Key(addr) // a garbled chain: trust only what we saw
				}
				addr = hop.Unmap().WithZone("")
				if !isTrusted(addr, trusted) {
					return clientip.Key(addr)
				}
			}
		}
	}
	return clientip.Key(addr)
}

// noIP is the client IP of every peer without an IP address: the
// unspecified address, which no TCP peer has.
const noIP = "0.0.0.0"

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
