package i18n_test

import (
	"fmt"
	"time"

	"github.com/vcodekit/vcode/i18n"
)

func ExampleNegotiate() {
	lang := i18n.Negotiate("en-GB,en;q=0.8")
	fmt.Println(lang)
	fmt.Println(lang.Message(i18n.WrongCode))
	fmt.Println(lang.SMS("753927", 5*time.Minute))
	fmt.Println(i18n.Negotiate("").Message(i18n.WrongCode))
	// Output:
	// en-US
	// The verification code is wrong or has expired.
	// Your verification code is 753927. It is valid for 5 minutes. Do not share it with anyone.
	// 验证码错误或已失效。
}
