package memcache_test

import (
	"fmt"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

type owner struct{ mem memcache.Lazy }

func Example() {
	o := &owner{}
	memcache.Init(&o.mem, o) // on first use
	o.mem.Cache.Set("k", 1, time.Minute)
	o.mem.Close() // stops the sweeper; the cache still answers
	v, ok := o.mem.Cache.Get("k")
	fmt.Println(v, ok)
	// Output: 1 true
}
