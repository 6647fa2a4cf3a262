package i18n

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The keys of the built-in message texts in the x/text catalog. In the code
// texts the first argument is the code, the second the validity in whole
// minutes and the third the brand; the branded subjects take the brand alone.
const (
	smsText           Key = "sms_text"
	smsBrand          Key = "sms_brand"
	emailSubject      Key = "email_subject"
	emailSubjectBrand Key = "email_subject_brand"
	emailBody         Key = "email_body"
	emailBodyBrand    Key = "email_body_brand"
)

// textKeys are the message-text keys every built-in language has besides
// Keys().
var textKeys = []Key{smsText, smsBrand, emailSubject, emailSubjectBrand, emailBody, emailBodyBrand}

// builtinTags are the languages of the built-in texts, in the order of
// catalogTexts and builtin.
var builtinTags = [...]language.Tag{zhCN, enUS}

// catalogTexts is the whole built-in catalog. Each language must have every
// key; TestBuiltinCatalogComplete enforces it.
//
// Branding follows each language's convention: the zh-CN SMS starts with the
// brand in 【】 (the signature Chinese carriers require), the subject too
// ("【Acme】您的验证码"), and the body names it ("您的Acme验证码为…"); the
// en-US SMS starts with "[Acme] ", the subject reads "Your Acme verification
// code" and the body "Your Acme verification code is …". Without a brand the
// texts are those of vcode before branding, byte for byte.
var catalogTexts = [len(builtinTags)]map[Key][]catalog.Message{
	{ // zh-CN
		BadRequest:        {catalog.String("请求体无法解析：JSON格式错误、包含多余数据、过大或Content-Type不正确。")},
		InvalidContact:    {catalog.String("联系方式无效：请填写带国家码的手机号或有效的邮箱地址。")},
		InvalidCountry:    {catalog.String("国家/地区无效，或手机号不属于该国家/地区。")},
		InvalidCode:       {catalog.String("验证码缺失或格式不正确。")},
		WrongCode:         {catalog.String("验证码错误或已失效。")},
		TooManyAttempts:   {catalog.String("验证次数过多，请稍后再试。")},
		TooFrequent:       {catalog.String("获取验证码过于频繁，请稍后再试。")},
		NotAllowed:        {catalog.String("不支持向该号码或地址发送验证码。")},
		Unauthorized:      {catalog.String("访问令牌缺失、无效或已过期。")},
		Forbidden:         {catalog.String("访问令牌无权执行此操作。")},
		Internal:          {catalog.String("服务内部错误，请稍后再试。")},
		EmailOnly:         {catalog.String("此接口仅接受邮箱地址。")},
		PhoneOnly:         {catalog.String("此接口仅接受手机号码。")},
		CrossOrigin:       {catalog.String("已拒绝跨站请求：此接口只接受本站页面及受信任来源发起的请求。")},
		smsText:           {catalog.String("您的验证码为%[1]s，%[2]d分钟内有效。请勿将验证码告知他人。")},
		smsBrand:          {catalog.String("【%[3]s】您的验证码为%[1]s，%[2]d分钟内有效。请勿将验证码告知他人。")},
		emailSubject:      {catalog.String("您的验证码")},
		emailSubjectBrand: {catalog.String("【%[1]s】您的验证码")},
		emailBody:         {catalog.String("您好：\n\n您的验证码为%[1]s，%[2]d分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n")},
		emailBodyBrand:    {catalog.String("您好：\n\n您的%[3]s验证码为%[1]s，%[2]d分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n")},
	},
	{ // en-US
		BadRequest:      {catalog.String("The request body could not be read: malformed JSON, trailing data, too large, or the wrong Content-Type.")},
		InvalidContact:  {catalog.String("The contact is invalid: give a mobile number with its country code or a valid email address.")},
		InvalidCountry:  {catalog.String("The country is unknown, or the number does not belong to it.")},
		InvalidCode:     {catalog.String("The verification code is missing or has the wrong format.")},
		WrongCode:       {catalog.String("The verification code is wrong or has expired.")},
		TooManyAttempts: {catalog.String("Too many verification attempts. Please try again later.")},
		TooFrequent:     {catalog.String("Verification codes were requested too often. Please try again later.")},
		NotAllowed:      {catalog.String("Verification codes cannot be sent to this destination.")},
		Unauthorized:    {catalog.String("The access token is missing, invalid or expired.")},
		Forbidden:       {catalog.String("The access token does not permit this operation.")},
		Internal:        {catalog.String("An internal error occurred. Please try again later.")},
		EmailOnly:       {catalog.String("This endpoint accepts email addresses only.")},
		PhoneOnly:       {catalog.String("This endpoint accepts mobile numbers only.")},
		CrossOrigin:     {catalog.String("Cross-site request refused: this endpoint accepts requests from this site's own pages and its trusted origins only.")},
		smsText: {pluralMinutes(
			"Your verification code is %[1]s. It is valid for %[2]d minute. Do not share it with anyone.",
			"Your verification code is %[1]s. It is valid for %[2]d minutes. Do not share it with anyone.")},
		smsBrand: {pluralMinutes(
			"[%[3]s] Your verification code is %[1]s. It is valid for %[2]d minute. Do not share it with anyone.",
			"[%[3]s] Your verification code is %[1]s. It is valid for %[2]d minutes. Do not share it with anyone.")},
		emailSubject:      {catalog.String("Your verification code")},
		emailSubjectBrand: {catalog.String("Your %[1]s verification code")},
		emailBody: {pluralMinutes(
			"Hello,\n\nYour verification code is %[1]s. It is valid for %[2]d minute.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n",
			"Hello,\n\nYour verification code is %[1]s. It is valid for %[2]d minutes.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n")},
		emailBodyBrand: {pluralMinutes(
			"Hello,\n\nYour %[3]s verification code is %[1]s. It is valid for %[2]d minute.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n",
			"Hello,\n\nYour %[3]s verification code is %[1]s. It is valid for %[2]d minutes.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n")},
	},
}

// pluralMinutes selects on the validity, the second argument of the code
// texts.
func pluralMinutes(one, other string) catalog.Message {
	return plural.Selectf(2, "%d", "one", one, "other", other)
}

// builtin holds the built-in Texts, in the order of builtinTags: templates
// over one message.Printer per language, and the error messages formatted
// once.
var builtin = func() (ts [len(builtinTags)]Texts) {
	b := catalog.NewBuilder(catalog.Fallback(zhCN))
	for l, texts := range catalogTexts {
		for key, msg := range texts {
			if err := b.Set(builtinTags[l], string(key), msg...); err != nil {
				panic("i18n: " + err.Error())
			}
		}
	}
	for l := range ts {
		ts[l] = builtinTexts(message.NewPrinter(builtinTags[l], message.Catalog(b)))
	}
	return ts
}()

func builtinTexts(p *message.Printer) Texts {
	code := func(plain, branded Key) Template {
		return func(d Data) string {
			d = d.withMinutes()
			if d.Brand == "" {
				return p.Sprintf(string(plain), d.Code, d.Minutes)
			}
			return p.Sprintf(string(branded), d.Code, d.Minutes, d.Brand)
		}
	}
	t := Texts{
		SMS:       code(smsText, smsBrand),
		EmailBody: code(emailBody, emailBodyBrand),
		EmailSubject: func(d Data) string {
			if d.Brand == "" {
				return p.Sprintf(string(emailSubject))
			}
			return p.Sprintf(string(emailSubjectBrand), d.Brand)
		},
		Errors: map[Key]string{},
	}
	for _, k := range Keys() {
		t.Errors[k] = p.Sprintf(string(k))
	}
	return t
}

// Builtin returns the built-in Texts of zh-CN or en-US, to start from when
// customising: replace a Template or an Errors message and pass the result
// to Catalog.With. The Errors map is the caller's own copy. Other tags,
// language.English among them, give ok false.
func Builtin(tag language.Tag) (Texts, bool) {
	for i, t := range builtinTags {
		if t == tag {
			return builtin[i].clone(), true
		}
	}
	return Texts{}, false
}
