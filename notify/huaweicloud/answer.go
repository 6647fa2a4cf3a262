package huaweicloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// outcome is what an answer says of the message.
type outcome int

const (
	sent    outcome = iota
	refused         // certainly not sent
	unsure          // may have been sent
	// invalidNumber: certainly not sent, the number's status E200023:
	// it is in none of the operators' number ranges of the channel (the
	// zh-CN "SMS Status Error Codes", sms_05_0051: 国内短信接收方匹配通道失败,
	// 接收方号码不在应用配置的运营商码表中), a number no operator serves,
	// which the user is to correct (delivery.ErrInvalidRecipient).
	invalidNumber
)

// statusInvalidNumber is the number's status that refuses the number
// itself. The service's other refusals of a number (E200024 no
// international SMS, E200025 and E200026 outside the channel's range,
// E000628 a country off the allow list) are the account's configuration,
// not the user's number.
const statusInvalidNumber = "E200023"

// answer is the JSON body of the SMS Sending API (sms_05_0001, "Response
// Parameters"): a code and its description for the request, and for each
// number a status. Error answers may leave result out.
type answer struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Result      []struct {
		OriginTo string `json:"originTo"`
		Status   string `json:"status"`
	} `json:"result"`
}

// The codes of a whole answer that refuse the request, from "API Error
// Codes" (sms_05_0050, table 1) and the response codes of sms_05_0001,
// which answer them 400 (E0000xx, E000503, E000510), 401 (E0001xx) and 403
// (E000620, E000623). They are refusals in a 2xx answer too. E000000
// ("System error.", 400: usually a request the platform cannot parse) is
// not here: a 400 refuses anyway, while a 2xx one would be a system error
// of unknown effect.
var refusedCodes = map[string]string{
	"E000503": "a parameter is malformed",
	"E000510": "the send failed, see the number's status",
	"E000620": "the client's IP address is not in the application's allow list",
	"E000623": "the sending limit is reached",
}

// refusedCode reports whether code refuses the request, and why.
func refusedCode(code string) (string, bool) {
	if why, ok := refusedCodes[code]; ok {
		return why, true
	}
	if len(code) == 7 && code != "E000000" && onlyDigits(code[1:]) && code[0] == 'E' {
		switch code[:5] {
		case "E0000": // E000001-E000008 Authorization, E000020 on X-WSSE
			return "the Authorization or X-WSSE header is missing or malformed", true
		case "E0001": // E000101-E000112
			return "authentication failed (app_key, digest, Created, or the account's state)", true
		}
	}
	return "", false
}

// The statuses of a number that say the service did not take the message
// for it: those of the SmsID table of sms_05_0001 and the Huawei-platform
// codes of "SMS Status Error Codes" (sms_05_0051). E200041 (the number was
// repeated in the request) is not a refusal: the service sends it one SMS.
var refusedStatuses = map[string]string{
	"E200015": "too many messages waiting: flow control",
	"E200018": "the sender is not the application's channel number",
	"E200023": "the number matches no operator of the channel",
	"E200024": "international SMS is not enabled",
	"E200025": "the number is outside the channel's range",
	"E200026": "the number matches no international channel",
	"E200027": "no gateway matches",
	"E200028": "the template parameters do not fit the template",
	"E200029": "the template's type does not fit",
	"E200030": "the template is not activated",
	"E200031": "protocol check failed",
	"E200032": "the message needs a template",
	"E200033": "the template's type is wrong",
	"E200051": "the international verification code content is not allowed",
	"E000628": "the number's country is not in the allow list",
	"E000629": "the resource package is used up",
}

// statusAccepted are the statuses of a number the service took.
func statusAccepted(status string) bool {
	return status == "000000" || status == "E200041"
}

// judge reads an answer to the request for to. scrub removes what an error
// may not quote from the service's description.
func judge(httpStatus int, body []byte, readErr error, to string, scrub func(string) string) (outcome, string) {
	var a answer
	parsed := readErr == nil && json.Unmarshal(body, &a) == nil && a.Code != ""
	what := "HTTP " + fmt.Sprint(httpStatus)
	status := ""
	if parsed {
		// The code and status too are scrubbed: a token holding a
		// number or a credential reads "(unreadable)".
		what += " " + token(scrub(a.Code)) + " " + fmt.Sprintf("%q", scrub(a.Description))
		status = numberStatus(a, to)
		if status != "" {
			what += ", number status " + token(scrub(status))
		}
	}
	switch {
	case httpStatus >= 200 && httpStatus < 300:
		switch {
		case readErr != nil:
			return unsure, what + " but its body could not be read: the message may have been sent"
		case !parsed:
			return unsure, what + " with a body that is not the documented JSON: the message may have been sent"
		}
		return judgeCode(a, status, what)
	case httpStatus >= 500:
		return unsure, what + ": the message may have been sent (server error)"
	case httpStatus >= 400:
		// Every 4xx of the API is a refusal (400 malformed, 401
		// authentication, 403 allow list or limit, 404 wrong address).
		return refusal(a.Code, status), what + ": refused" + because(a.Code, status)
	case httpStatus == http.StatusSeeOther:
		// 303 may answer a POST that was processed.
		return unsure, what + ": the message may have been sent (redirect not followed)"
	case httpStatus >= 300 && httpStatus < 400:
		return refused, what + ": refused (redirect not followed)"
	}
	return unsure, what + ": an answer the API does not document: the message may have been sent"
}

// judgeCode reads a 2xx answer.
func judgeCode(a answer, status, what string) (outcome, string) {
	switch {
	case a.Code == "000000" && statusAccepted(status):
		return sent, ""
	case a.Code == "000000" && status == "":
		return unsure, what + " without the number's status: the message may have been sent"
	case a.Code == "000000":
		if _, ok := refusedStatuses[status]; ok {
			return refusal(a.Code, status), what + ": refused" + because("", status)
		}
		return unsure, what + ": a status the API does not document: the message may have been sent"
	case a.Code == "E000510" && statusAccepted(status):
		return unsure, what + ": a failure with an accepted number: the message may have been sent"
	}
	if _, ok := refusedCode(a.Code); ok {
		return refusal(a.Code, status), what + ": refused" + because(a.Code, status)
	}
	return unsure, what + ": a code the API does not document: the message may have been sent"
}

// refusal is the outcome of a refused answer with code and the number's
// status: invalidNumber for E200023 where the code points to the
// number's status (000000, or E000510 "see the number's status"),
// refused otherwise.
func refusal(code, status string) outcome {
	if status == statusInvalidNumber && (code == "000000" || code == "E000510") {
		return invalidNumber
	}
	return refused
}

// numberStatus is the status of to in a, or of the one number a has.
func numberStatus(a answer, to string) string {
	for _, r := range a.Result {
		if r.OriginTo == to {
			return r.Status
		}
	}
	if len(a.Result) == 1 {
		return a.Result[0].Status
	}
	return ""
}

// because explains a refusal by the documented meaning of its status or
// code, when known.
func because(code, status string) string {
	if why, ok := refusedStatuses[status]; ok {
		return " (" + why + ")"
	}
	if why, ok := refusedCode(code); ok {
		return " (" + why + ")"
	}
	return ""
}

// token returns a code or status fit to quote: short, of letters, digits
// and a few signs (the operators' statuses look like "MK:0015").
func token(s string) string {
	if s == "" || len(s) > 16 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(":_.-", r))
	}) {
		return "(unreadable)"
	}
	return s
}

func onlyDigits(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}
