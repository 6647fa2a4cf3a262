package rediskey_test

import (
	"fmt"

	"github.com/vcodekit/vcode/internal/rediskey"
)

func ExampleKey() {
	fmt.Println(rediskey.Key("vcode:code:", "\x00{k}"))
	// Output: vcode:code:{007b6b7d}
}
