package leakcheck_test

import (
	"fmt"

	"github.com/vcodekit/vcode/internal/leakcheck"
	"github.com/vcodekit/vcode/store"
)

func Example() {
	before := leakcheck.Snapshot()
	s := store.NewMemory()
	s.Len() // first use starts its sweeper
	s.Close()
	fmt.Println(len(leakcheck.LeftOver(before, false)))
	// Output: 0
}
