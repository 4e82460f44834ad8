package sms_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongjue/sms"
)

// tencentServer speaks the documented SendSms API (SMS 2021-01-11) and its
// TC3-HMAC-SHA256 signature, as an independent check of what the SDK sends.
type tencentServer struct {
	secretKey string
	status    string // the send status Code to answer
	mu        sync.Mutex
	requests  []map[string]any
	problems  []string
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (ts *tencentServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	bad := func(format string, args ...any) { ts.problems = append(ts.problems, fmt.Sprintf(format, args...)) }
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		bad("%s %s", r.Method, r.URL.Path)
	}
	for h, want := range map[string]string{"X-TC-Action": "SendSms", "X-TC-Version": "2021-01-11", "X-TC-Region": "ap-shanghai"} {
		if got := r.Header.Get(h); got != want {
			bad("%s = %q, want %q", h, got, want)
		}
	}
	// The signature, as the API's documentation computes it.
	ts0, _ := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	date := time.Unix(ts0, 0).UTC().Format("2006-01-02")
	canonical := "POST\n/\n\ncontent-type:" + r.Header.Get("Content-Type") + "\nhost:" + r.Host + "\n\ncontent-type;host\n" + sha256Hex(string(body))
	scope := date + "/sms/tc3_request"
	toSign := "TC3-HMAC-SHA256\n" + r.Header.Get("X-TC-Timestamp") + "\n" + scope + "\n" + sha256Hex(canonical)
	key := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+ts.secretKey), date), "sms"), "tc3_request")
	want := "TC3-HMAC-SHA256 Credential=AKIDtest/" + scope + ", SignedHeaders=content-type;host, Signature=" + hex.EncodeToString(hmacSHA256(key, toSign))
	if got := r.Header.Get("Authorization"); got != want {
		bad("Authorization = %q, want %q", got, want)
	}
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		bad("body %q: %v", body, err)
	}
	ts.requests = append(ts.requests, req)
	phones, _ := req["PhoneNumberSet"].([]any)
	phone := ""
	if len(phones) == 1 {
		phone, _ = phones[0].(string)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"Response":{"SendStatusSet":[{"SerialNo":"5000:104571066915705365784949","PhoneNumber":%q,"Fee":1,"SessionContext":"","Code":%q,"Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}`, phone, ts.status)
}

func TestTencentSendSms(t *testing.T) {
	ts := &tencentServer{secretKey: "test-secret-key", status: "Ok"}
	srv := httptest.NewServer(ts)
	defer srv.Close()
	for k, v := range map[string]string{"SECRET_ID": "AKIDtest", "SECRET_KEY": ts.secretKey, "SDK_APP_ID": "1400000001",
		"SIGN_NAME": "共决", "TEMPLATE_ID": "123456", "REGION": "ap-shanghai", "ENDPOINT": srv.URL} {
		t.Setenv("GONGJUE_SMS_TENCENT_"+k, v)
	}
	t.Setenv("GONGJUE_SMS", "tencent")
	sender, err := sms.FromEnv(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(context.Background(), "138 1234 5678", "042917"); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ts.mu.Lock()
	if len(ts.problems) > 0 || len(ts.requests) != 1 {
		t.Fatalf("%d requests; problems: %s", len(ts.requests), strings.Join(ts.problems, "\n"))
	}
	got, _ := json.Marshal(ts.requests[0])
	ts.mu.Unlock()
	want := `{"PhoneNumberSet":["+8613812345678"],"SignName":"共决","SmsSdkAppId":"1400000001","TemplateId":"123456","TemplateParamSet":["042917","10"]}`
	if string(got) != want {
		t.Errorf("request body\n%s\nwant\n%s", got, want)
	}

	ts.status = "LimitExceeded.PhoneNumberDailyLimit"
	if err := sender.Send(context.Background(), "13812345678", "111111"); err == nil || !strings.Contains(err.Error(), "LimitExceeded.PhoneNumberDailyLimit") {
		t.Errorf("a refused send: %v", err)
	}
}

func TestTencentConfigNamesWhatIsMissing(t *testing.T) {
	t.Setenv("GONGJUE_SMS", "tencent")
	for _, k := range []string{"SECRET_ID", "SECRET_KEY", "SDK_APP_ID", "SIGN_NAME", "TEMPLATE_ID"} {
		t.Setenv("GONGJUE_SMS_TENCENT_"+k, "")
	}
	t.Setenv("GONGJUE_SMS_TENCENT_SECRET_ID", "AKIDtest")
	_, err := sms.FromEnv(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "GONGJUE_SMS_TENCENT_SECRET_KEY") || strings.Contains(err.Error(), "SECRET_ID") {
		t.Errorf("missing settings: %v", err)
	}
}

func TestFileSender(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GONGJUE_SMS", "")
	sender, err := sms.FromEnv(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(context.Background(), "13812345678", "042917"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sms-outbox.txt")
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(string(data), " 138****5678 042917\n") {
		t.Fatalf("outbox %q, %v", data, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode %v", fi.Mode().Perm())
	}
}
