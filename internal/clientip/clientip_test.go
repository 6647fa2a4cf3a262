package clientip

import "testing"

func TestCanonical(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want "" when the value is refused
	}{
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1:80", "192.0.2.1"},
		{"[192.0.2.1]:80", "192.0.2.1"},
		{"[192.0.2.1]", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"[::ffff:192.0.2.1]:443", "192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:DB8:1:2:FFFF:FFFF:FFFF:FFFF", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::1]", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"[fe80::1%25eth0]:80", "fe80::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"2001:db8:1:2::/64", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1/128", "2001:db8:1:2::/64"},
		{"::1", "::/64"},
		{"", ""},
		{"@", ""},
		{"peer:@", ""},
		{"localhost:80", ""},
		{"192.0.2.1:http", ""},
		{"192.0.2.1:", ""},
		{"192.0.2.1:123456", ""},
		{":80", ""},
		{"192.0.2.1, 198.51.100.7", ""},
		{"192.0.2.256", ""},
		{"192.0.2.0/24", ""},
		{"2001:db8::/48", ""},
		{"::ffff:192.0.2.1/128", ""},
		{"[192.0.2.1", ""},
		{"192.0.2.1%eth0", ""},
		{" 192.0.2.1", ""},
	} {
		got, ok := Canonical(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		if ok {
			if again, _ := Canonical(got); again != got {
				t.Errorf("Canonical(%q) = %q, not its own key", got, again)
			}
		}
	}
}

func TestCanonicalOfAKeyAllocatesNothing(t *testing.T) {
	for _, key := range []string{"192.0.2.1", "2001:db8:1:2::/64"} {
		if n := testing.AllocsPerRun(100, func() { Canonical(key) }); n != 0 {
			t.Errorf("Canonical(%q): %v allocations", key, n)
		}
	}
}

// A RemoteAddr, as every request has one, parses without allocating: no
// failed ParseAddr's error first.
func TestParseOfARemoteAddrAllocatesNothing(t *testing.T) {
	for _, addr := range []string{"192.0.2.1:443", "[2001:db8:1:2::1]:443"} {
		if n := testing.AllocsPerRun(100, func() { Parse(addr) }); n != 0 {
			t.Errorf("Parse(%q): %v allocations", addr, n)
		}
	}
}
