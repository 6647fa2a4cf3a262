package clientip_test

import (
	"fmt"

	"github.com/vcodekit/vcode/internal/clientip"
)

func ExampleCanonical() {
	for _, s := range []string{"192.0.2.1:443", "[2001:db8:1:2::9]:443", "::ffff:192.0.2.1", "fe80::1%eth0", "peer:@"} {
		key, ok := clientip.Canonical(s)
		fmt.Printf("%q %v\n", key, ok)
	}
	// Output:
	// "192.0.2.1" true
	// "2001:db8:1:2::/64" true
	// "192.0.2.1" true
	// "fe80::/64" true
	// "" false
}
