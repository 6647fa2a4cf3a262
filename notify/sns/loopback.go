package sns

import "net"

// isLoopback reports whether host is localhost or a loopback address, the
// one place where plain HTTP is accepted (as in package notify).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
