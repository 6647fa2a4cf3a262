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
	sh := o.mem.Shard("k")
	sh.Lock() // around a read-modify-write of "k"
	sh.Set("k", 1, time.Minute)
	sh.Unlock()
	o.mem.Close() // stops the sweeper; the cache still answers
	v, ok := o.mem.Shard("k").Get("k")
	fmt.Println(v, ok, o.mem.Len())
	// Output: 1 true 1
}
