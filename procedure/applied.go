package procedure

import (
	"fmt"
	"net/http"
)

// Applied is the rules of procedure a consultation is decided under: the
// snapshot frozen when it opened, or, before that, what opening it now
// would freeze. Version is nil when the estate registered none; Settings
// are then the defaults.
type Applied struct {
	Version        *int     `json:"version"`
	OriginalSHA256 *string  `json:"original_sha256"` // hex, of the uploaded original
	Settings       Settings `json:"settings"`
	Defaults       []string `json:"defaults"` // the keys the version left out
}

// None is what applies without a registered version.
func None() Applied {
	return Applied{Settings: Defaults(), Defaults: []string{}}
}

// HashPrefix is how much of the original's SHA-256 a page or a packet
// shows: enough to tell versions apart and to check against the list.
const HashPrefix = 12

// Sentence says which rules apply, as the ballot page and the packet print
// it.
func (a Applied) Sentence(english bool) string {
	if a.Version == nil || a.OriginalSHA256 == nil {
		if english {
			return NoVersionEN
		}
		return NoVersionZH
	}
	prefix := *a.OriginalSHA256
	if len(prefix) > HashPrefix {
		prefix = prefix[:HashPrefix]
	}
	if english {
		return fmt.Sprintf("This vote follows version %d of the estate's rules of procedure (SHA-256 %s…)", *a.Version, prefix)
	}
	return fmt.Sprintf("本次表决适用《议事规则》第 %d 版（SHA-256 前 12 位 %s）", *a.Version, prefix)
}

// MaxOriginalBytes bounds an uploaded original (§3.6): a scanned text of
// a few dozen pages.
const MaxOriginalBytes = 10 << 20

// Original content types accepted, by what the bytes are, not what the
// upload claims.
var originalTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// CheckOriginal returns the content type of an uploaded original, or an
// error saying why it is refused.
func CheckOriginal(data []byte) (string, error) {
	switch {
	case len(data) == 0:
		return "", &Error{Key: "original", Message: "文件为空 / the file is empty"}
	case len(data) > MaxOriginalBytes:
		return "", &Error{Key: "original", Message: fmt.Sprintf("文件超过 %d MB / the file is larger than %d MB", MaxOriginalBytes>>20, MaxOriginalBytes>>20)}
	}
	ct := http.DetectContentType(data)
	for _, t := range originalTypes {
		if ct == t {
			return ct, nil
		}
	}
	return "", &Error{Key: "original", Message: fmt.Sprintf("只接受 PDF、PNG 或 JPEG 文件，此文件为 %s / only PDF, PNG or JPEG files are accepted, this one is %s", ct, ct)}
}
