package i18n

import "golang.org/x/text/message/catalog"

// catalogTexts is the whole catalog. Each language must have every key;
// TestCatalogComplete enforces it. In the code texts the first argument is
// the code and the second the validity in whole minutes.
var catalogTexts = [numLanguages]map[Key][]catalog.Message{
	ZhCN: {
		BadRequest:      {catalog.String("请求体无法解析：JSON格式错误、包含多余数据、过大或Content-Type不正确。")},
		InvalidContact:  {catalog.String("联系方式无效：请填写带国家码的手机号或有效的邮箱地址。")},
		InvalidCountry:  {catalog.String("国家/地区无效，或与手机号的国家码不符。")},
		InvalidCode:     {catalog.String("验证码缺失或格式不正确。")},
		WrongCode:       {catalog.String("验证码错误或已失效。")},
		TooManyAttempts: {catalog.String("验证次数过多，请稍后再试。")},
		TooFrequent:     {catalog.String("获取验证码过于频繁，请稍后再试。")},
		NotAllowed:      {catalog.String("不支持向该号码或地址发送验证码。")},
		Unauthorized:    {catalog.String("访问令牌缺失、无效或已过期。")},
		Forbidden:       {catalog.String("访问令牌无权执行此操作。")},
		Internal:        {catalog.String("服务内部错误，请稍后再试。")},
		smsText:         {catalog.String("您的验证码为%[1]s，%[2]d分钟内有效。请勿将验证码告知他人。")},
		emailSubject:    {catalog.String("您的验证码")},
		emailBody:       {catalog.String("您好：\n\n您的验证码为%[1]s，%[2]d分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n")},
	},
	EnUS: {
		BadRequest:      {catalog.String("The request body could not be read: malformed JSON, trailing data, too large, or the wrong Content-Type.")},
		InvalidContact:  {catalog.String("The contact is invalid: give a mobile number with its country code or a valid email address.")},
		InvalidCountry:  {catalog.String("The country is unknown or does not match the number's country code.")},
		InvalidCode:     {catalog.String("The verification code is missing or has the wrong format.")},
		WrongCode:       {catalog.String("The verification code is wrong or has expired.")},
		TooManyAttempts: {catalog.String("Too many verification attempts. Please try again later.")},
		TooFrequent:     {catalog.String("Verification codes were requested too often. Please try again later.")},
		NotAllowed:      {catalog.String("Verification codes cannot be sent to this destination.")},
		Unauthorized:    {catalog.String("The access token is missing, invalid or expired.")},
		Forbidden:       {catalog.String("The access token does not permit this operation.")},
		Internal:        {catalog.String("An internal error occurred. Please try again later.")},
		smsText: {pluralMinutes(
			"Your verification code is %[1]s. It is valid for %[2]d minute. Do not share it with anyone.",
			"Your verification code is %[1]s. It is valid for %[2]d minutes. Do not share it with anyone.")},
		emailSubject: {catalog.String("Your verification code")},
		emailBody: {pluralMinutes(
			"Hello,\n\nYour verification code is %[1]s. It is valid for %[2]d minute.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n",
			"Hello,\n\nYour verification code is %[1]s. It is valid for %[2]d minutes.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n")},
	},
}
