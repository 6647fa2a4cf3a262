package i18n_test

import (
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/i18n"
)

func ExampleCatalog_Negotiate() {
	c := i18n.Default()
	tag := c.Negotiate("en-GB,en;q=0.8")
	fmt.Println(tag)
	fmt.Println(c.Error(tag, i18n.WrongCode))
	fmt.Println(c.SMS(tag, i18n.Data{Code: "753927", Validity: 5 * time.Minute}))
	fmt.Println(c.Negotiate(""), c.Error(c.Negotiate(""), i18n.WrongCode))
	// Output:
	// en-US
	// The verification code is wrong or has expired.
	// Your verification code is 753927. It is valid for 5 minutes. Do not share it with anyone.
	// zh-CN 验证码错误或已失效。
}

func ExampleCatalog_SMS() {
	c := i18n.Default()
	d := i18n.Data{Code: "123456", Validity: 90 * time.Second, Brand: "Acme"}
	fmt.Println(c.SMS(i18n.ZhCN, d))
	fmt.Println(c.SMS(i18n.EnUS, d))
	fmt.Println(c.EmailSubject(i18n.ZhCN, d))
	fmt.Println(c.EmailSubject(i18n.EnUS, d))
	// Output:
	// 【Acme】您的验证码为123456，1分钟内有效。请勿将验证码告知他人。
	// [Acme] Your verification code is 123456. It is valid for 1 minute. Do not share it with anyone.
	// 【Acme】您的验证码
	// Your Acme verification code
}

func ExampleCatalog_With() {
	// Start from the built-in texts and replace them; With refuses texts
	// with a hole, so every field and every error message must be set.
	ja, _ := i18n.Builtin(i18n.EnUS)
	var err error
	must := func(src string) i18n.Template {
		var t i18n.Template
		if err == nil {
			t, err = i18n.ParseTemplate(src)
		}
		return t
	}
	ja.SMS = must(`{{with .Brand}}【{{.}}】{{end}}認証コードは{{.Code}}です。{{.Minutes}}分間有効です。`)
	ja.EmailSubject = must(`{{with .Brand}}{{.}} {{end}}認証コード`)
	ja.EmailBody = must("認証コードは{{.Code}}です。{{.Minutes}}分間有効です。\n")
	ja.Errors[i18n.WrongCode] = "認証コードが間違っているか、有効期限が切れています。"
	// ... and the other error messages likewise.
	if err != nil {
		panic(err)
	}
	tag := language.MustParse("ja-JP")
	c, err := i18n.Default().With(tag, ja)
	if err != nil {
		panic(err)
	}
	c, err = c.WithDefault(tag)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Languages())
	fmt.Println(c.Negotiate("ja,en;q=0.5"), c.Negotiate("fr"), c.Negotiate("en"))
	fmt.Println(c.SMS(c.Negotiate("ja"), i18n.Data{Code: "753927", Validity: 5 * time.Minute, Brand: "Acme"}))
	fmt.Println(c.Error(language.Japanese, i18n.WrongCode))
	// Output:
	// [ja-JP zh-CN en-US]
	// ja-JP ja-JP en-US
	// 【Acme】認証コードは753927です。5分間有効です。
	// 認証コードが間違っているか、有効期限が切れています。
}

func ExampleParseTemplate() {
	sms, err := i18n.ParseTemplate(`Code {{.Code}}, valid {{.Minutes}} {{if eq .Minutes 1}}minute{{else}}minutes{{end}}.`)
	if err != nil {
		panic(err)
	}
	fmt.Println(sms(i18n.Data{Code: "753927", Minutes: 1}))
	fmt.Println(sms(i18n.Data{Code: "753927", Minutes: 10}))
	_, err = i18n.ParseTemplate(`{{.Cdoe}}`)
	fmt.Println(err != nil)
	// Output:
	// Code 753927, valid 1 minute.
	// Code 753927, valid 10 minutes.
	// true
}
