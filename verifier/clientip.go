package verifier

import "github.com/vcodekit/vcode/internal/clientip"

// clientIPKey is what the per-IP quotas count for Request.ClientIP ip: ""
// for none, otherwise the address normalised as httpmw normalises it (see
// Request.ClientIP), or ErrInvalidClientIP.
func clientIPKey(ip string) (string, error) {
	if ip == "" {
		return "", nil
	}
	key, ok := clientip.Canonical(ip)
	if !ok {
		return "", ErrInvalidClientIP
	}
	return key, nil
}
