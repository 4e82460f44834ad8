package sms

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	tcsms "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sms/v20210111"

	"gongjue/verification"
)

// TencentConfig is what Tencent Cloud SMS needs: an API key pair, the SMS
// application, the approved signature and code template, and the region;
// Endpoint overrides the API's host (a URL with http:// talks plain HTTP,
// for tests).
type TencentConfig struct {
	SecretID, SecretKey string
	SDKAppID            string
	SignName            string
	TemplateID          string // a template with two parameters: the code and its validity in minutes
	Region              string
	Endpoint            string
}

// TencentConfigFromEnv reads GONGJUE_SMS_TENCENT_SECRET_ID, _SECRET_KEY,
// _SDK_APP_ID, _SIGN_NAME, _TEMPLATE_ID (all required), _REGION (default
// ap-guangzhou) and _ENDPOINT (default sms.tencentcloudapi.com).
func TencentConfigFromEnv() (TencentConfig, error) {
	get := func(name string) string { return strings.TrimSpace(os.Getenv("GONGJUE_SMS_TENCENT_" + name)) }
	cfg := TencentConfig{SecretID: get("SECRET_ID"), SecretKey: get("SECRET_KEY"), SDKAppID: get("SDK_APP_ID"),
		SignName: get("SIGN_NAME"), TemplateID: get("TEMPLATE_ID"), Region: get("REGION"), Endpoint: get("ENDPOINT")}
	var missing []string
	for name, v := range map[string]string{"SECRET_ID": cfg.SecretID, "SECRET_KEY": cfg.SecretKey, "SDK_APP_ID": cfg.SDKAppID,
		"SIGN_NAME": cfg.SignName, "TEMPLATE_ID": cfg.TemplateID} {
		if v == "" {
			missing = append(missing, "GONGJUE_SMS_TENCENT_"+name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return cfg, fmt.Errorf("GONGJUE_SMS=tencent needs %s", strings.Join(missing, ", "))
	}
	if cfg.Region == "" {
		cfg.Region = "ap-guangzhou"
	}
	return cfg, nil
}

// Tencent sends codes through Tencent Cloud SMS (API 2021-01-11, SendSms).
type Tencent struct {
	cfg    TencentConfig
	client *tcsms.Client
}

// NewTencent makes the client of cfg.
func NewTencent(cfg TencentConfig) (*Tencent, error) {
	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = "sms.tencentcloudapi.com"
	if e := cfg.Endpoint; e != "" {
		if rest, ok := strings.CutPrefix(e, "http://"); ok {
			cp.HttpProfile.Scheme, e = "HTTP", rest
		}
		cp.HttpProfile.Endpoint = strings.TrimPrefix(e, "https://")
	}
	client, err := tcsms.NewClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), cfg.Region, cp)
	if err != nil {
		return nil, err
	}
	return &Tencent{cfg: cfg, client: client}, nil
}

// Send sends the code to a mainland mobile number (+86 added when the roll
// has none) and checks the number's send status.
func (t *Tencent) Send(ctx context.Context, phone, code string) error {
	req := tcsms.NewSendSmsRequest()
	req.SetContext(ctx)
	req.SmsSdkAppId = common.StringPtr(t.cfg.SDKAppID)
	req.SignName = common.StringPtr(t.cfg.SignName)
	req.TemplateId = common.StringPtr(t.cfg.TemplateID)
	req.TemplateParamSet = common.StringPtrs([]string{code, strconv.Itoa(int(verification.CodeValidity.Minutes()))})
	req.PhoneNumberSet = common.StringPtrs([]string{e164(phone)})
	resp, err := t.client.SendSms(req)
	if err != nil {
		return fmt.Errorf("tencent cloud sms: %w", err)
	}
	if resp.Response == nil || len(resp.Response.SendStatusSet) != 1 || resp.Response.SendStatusSet[0] == nil {
		return errors.New("tencent cloud sms: no send status in the answer")
	}
	st := resp.Response.SendStatusSet[0]
	if st.Code == nil || *st.Code != "Ok" {
		var c, m string
		if st.Code != nil {
			c = *st.Code
		}
		if st.Message != nil {
			m = *st.Message
		}
		return fmt.Errorf("tencent cloud sms: not sent: %s %s", c, m)
	}
	return nil
}

// e164 writes a roll phone in E.164, as the API wants it.
func e164(phone string) string {
	p := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(phone))
	if strings.HasPrefix(p, "+") {
		return p
	}
	return "+86" + strings.TrimPrefix(p, "0086")
}
