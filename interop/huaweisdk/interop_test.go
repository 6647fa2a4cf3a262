// Package huaweisdk checks vcode against the official Huawei Cloud Go SDK:
// the meeting client's SendVeriCodeForUpdateUserInfo and
// CheckVeriCodeForUpdateUserInfo, pointed at a server that mounts vcode.
// It is a module of its own so that the SDK's dependencies stay out of
// vcode's go.mod.
package huaweisdk

import (
	"errors"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	meeting "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/meeting/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/meeting/v1/model"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/interop/huaweisdk/internal/v1"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

const token = "sdk-test-token"

func newClient(t *testing.T) (*meeting.MeetingClient, *notify.Recorder) {
	t.Helper()
	rec := &notify.Recorder{}
	v, err := verifier.New(rec)
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "sdk"})
	h, err := httpmw.New(v, auth)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	hc, err := meeting.MeetingClientBuilder().
		WithEndpoint(srv.URL).
		WithCredential(&v1.MeetingCredentials{Token: token}).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return meeting.NewMeetingClient(hc), rec
}

func ptr(s string) *string { return &s }

func TestSDKSendAndCheck(t *testing.T) {
	client, rec := newClient(t)
	sendResp, err := client.SendVeriCodeForUpdateUserInfo(&model.SendVeriCodeForUpdateUserInfoRequest{
		XRequestId:     ptr("sdk-send-1"),
		AcceptLanguage: ptr("en-US"),
		Body:           &model.VerificationCodeDto{Contact: "+8613612345678", Country: ptr("chinaPR")},
	})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if sendResp.HttpStatusCode != 200 {
		t.Fatalf("send status %d", sendResp.HttpStatusCode)
	}
	code, ok := rec.LastCode("+8613612345678")
	if !ok {
		t.Fatal("no code delivered")
	}

	// A wrong code: the SDK's error carries our status, code, message and
	// request id.
	_, err = client.CheckVeriCodeForUpdateUserInfo(&model.CheckVeriCodeForUpdateUserInfoRequest{
		XRequestId:     ptr("sdk-check-wrong"),
		AcceptLanguage: ptr("en-US"),
		Body:           &model.VerificationCodeDto{Contact: "+8613612345678", Country: ptr("chinaPR"), VerificationCode: ptr(wrong(code))},
	})
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("wrong code: error %T %v, want a ServiceResponseError", err, err)
	}
	if se.StatusCode != 400 || se.ErrorCode != httpmw.CodeWrongCode ||
		se.ErrorMessage != "The verification code is wrong or has expired." || se.RequestId != "sdk-check-wrong" {
		t.Fatalf("wrong code: %+v", se)
	}

	checkResp, err := client.CheckVeriCodeForUpdateUserInfo(&model.CheckVeriCodeForUpdateUserInfoRequest{
		XRequestId: ptr("sdk-check-right"),
		Body:       &model.VerificationCodeDto{Contact: "+8613612345678", Country: ptr("chinaPR"), VerificationCode: ptr(code)},
	})
	if err != nil {
		t.Fatalf("right code: %v", err)
	}
	if checkResp.HttpStatusCode != 200 {
		t.Fatalf("check status %d", checkResp.HttpStatusCode)
	}
}

// TestSDKErrorsInChinese: the default language, and a generated request id
// when the SDK sends none.
func TestSDKErrorsInChinese(t *testing.T) {
	client, _ := newClient(t)
	_, err := client.CheckVeriCodeForUpdateUserInfo(&model.CheckVeriCodeForUpdateUserInfoRequest{
		Body: &model.VerificationCodeDto{Contact: "+8613612345678", VerificationCode: ptr("12")},
	})
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v", err, err)
	}
	if se.StatusCode != 400 || se.ErrorCode != httpmw.CodeInvalidCode || se.ErrorMessage != "验证码缺失或格式不正确。" ||
		!regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(se.RequestId) {
		t.Fatalf("%+v", se)
	}
}

func wrong(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
