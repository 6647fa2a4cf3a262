package stripe_test

import (
	"fmt"

	"github.com/vcodekit/vcode/internal/stripe"
)

func Example() {
	locks := stripe.New()
	mu := locks.For("key")
	mu.Lock()
	fmt.Println(locks.For("key") == mu)
	mu.Unlock()
	// Output: true
}
