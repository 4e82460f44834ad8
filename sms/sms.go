// Package sms sends the one-time codes of owner verification (DESIGN §5.2)
// to a unit's roll phone: through Tencent Cloud SMS in production, or into
// a file under the data directory while developing — never into the log.
package sms

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gongjue/secret"
)

// Sender sends a verification code to a phone number of the roll.
type Sender interface {
	Send(ctx context.Context, phone, code string) error
}

// FromEnv is the sender GONGJUE_SMS names: "tencent" (configured by the
// GONGJUE_SMS_TENCENT_* variables, see TencentConfigFromEnv) or "file"
// (the default: codes go to dataDir/sms-outbox.txt, for development).
func FromEnv(dataDir string) (Sender, error) {
	switch v := os.Getenv("GONGJUE_SMS"); v {
	case "tencent":
		cfg, err := TencentConfigFromEnv()
		if err != nil {
			return nil, err
		}
		return NewTencent(cfg)
	case "", "file":
		return &File{Path: filepath.Join(dataDir, "sms-outbox.txt")}, nil
	default:
		return nil, fmt.Errorf("GONGJUE_SMS=%q: want tencent or file", v)
	}
}

// File is the development sender: it appends each message to a file
// readable only by the server's user, where a developer (or a test) reads
// the code a phone would have received.
type File struct {
	Path string
	mu   sync.Mutex
}

// Send appends "time phone code" to the file.
func (f *File) Send(_ context.Context, phone, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s %s %s\n", time.Now().UTC().Format(time.RFC3339), secret.MaskPhone(phone), code)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
