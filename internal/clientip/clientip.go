// Package clientip turns a client's address into what the per-IP quotas
// count. The verifier normalises Request.ClientIP with it and httpmw
// computes the client IP with it, so that the Go API and the HTTP handler
// count one client the same way.
package clientip

import (
	"net"
	"net/netip"
	"strings"
)

// Parse returns the address s holds: an IP address, with a zone or not
// ("fe80::1%eth0"), in brackets or not, with a numeric port or not
// ("192.0.2.1:443", "[2001:db8::1]:443"); or an IPv6 prefix of 64 bits or
// more, as Key makes ("2001:db8:1:2::/64"), standing for its first
// address. An IPv4-mapped IPv6 address is its IPv4 address, and the zone
// is dropped. ok is false for anything else: a host name, a list, a wider
// prefix, an IPv4 prefix.
func Parse(s string) (a netip.Addr, ok bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if a := p.Addr(); err != nil || !a.Is6() || a.Is4In6() || p.Bits() < 64 {
			return netip.Addr{}, false
		}
		return p.Masked().Addr(), true
	}
	// An address with a port (RemoteAddr, always) has one colon or a
	// bracket, and no bare address has either: it goes straight to
	// SplitHostPort, without a failed ParseAddr's error allocated first.
	if withPort := strings.HasPrefix(s, "[") || strings.Count(s, ":") == 1; !withPort {
		if a, err := netip.ParseAddr(s); err == nil {
			return fold(a), true
		}
	}
	host := s
	if h, port, err := net.SplitHostPort(s); err == nil {
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return netip.Addr{}, false
		}
		host = h
	} else if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		host = s[1 : len(s)-1]
	} else {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return fold(a), true
}

// fold is a without its zone, an IPv4-mapped address as IPv4.
func fold(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// Key is what the per-IP quotas count for a (as Parse returns it): an
// IPv4 address as itself ("192.0.2.1"), an IPv6 address by its /64
// ("2001:db8:1:2::/64"), which one subscriber usually holds whole.
func Key(a netip.Addr) string {
	var buf [64]byte
	return string(appendKey(buf[:0], a))
}

func appendKey(dst []byte, a netip.Addr) []byte {
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().AppendTo(dst)
	}
	return a.AppendTo(dst)
}

// Canonical is Key of what Parse finds in s, and false when Parse finds
// nothing. A key is its own key: Canonical(Canonical(s)) is
// Canonical(s), so that a value normalised twice (by httpmw, then by the
// verifier) counts once; and it returns s itself then, without
// allocating.
func Canonical(s string) (string, bool) {
	a, ok := Parse(s)
	if !ok {
		return "", false
	}
	var buf [64]byte
	key := appendKey(buf[:0], a)
	if string(key) == s {
		return s, true
	}
	return string(key), true
}
