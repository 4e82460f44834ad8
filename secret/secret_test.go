package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKeysCreatesThenReuses(t *testing.T) {
	t.Setenv("GONGJUE_MASTER_KEY", "")
	dir := t.TempDir()
	a, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("master.key mode %v, want 0600", st.Mode().Perm())
	}
	b, err := LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Master != b.Master {
		t.Fatal("second load gave another key")
	}
}

func TestOwnerKeyIsKeyedAndNormalised(t *testing.T) {
	var k1, k2 Keys
	k2.Master[0] = 1
	id := "31010119600101123x"
	if k1.OwnerKey(id) != k1.OwnerKey(" 31010119600101123X ") {
		t.Error("case and spaces change the owner key")
	}
	if k1.OwnerKey(id) == k2.OwnerKey(id) {
		t.Error("owner key does not depend on the master key")
	}
	if bytes.Contains([]byte(k1.OwnerKey(id)), []byte("310101")) {
		t.Error("owner key leaks the ID number")
	}
	if k1.OwnerKey("") != "" {
		t.Error("empty ID number must give no owner key")
	}
}

func TestSealOpen(t *testing.T) {
	var k, other Keys
	other.Master[31] = 9
	sealed, err := k.Seal("committee", []byte("private"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open("committee", sealed); err != nil || string(got) != "private" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open("residents", sealed); err == nil {
		t.Error("opened under another label")
	}
	if _, err := other.Open("committee", sealed); err == nil {
		t.Error("opened under another master key")
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{"张三": "张*", "张三丰": "张**", "王": "王*", "": ""} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"13812340000": "138****0000", "021-5555": "021*5555", "123": "***"} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskIDNumber("11010519491231002X"); got != "110***********002X" {
		t.Errorf("MaskIDNumber = %q", got)
	}
}

func TestCodeHashIsKeyedAndBound(t *testing.T) {
	var k, other Keys
	k.Master[0], other.Master[0] = 1, 2
	h := k.CodeHash("1/2/1-1-101", "123456")
	if string(h) == string(k.CodeHash("1/2/1-1-102", "123456")) || string(h) == string(other.CodeHash("1/2/1-1-101", "123456")) ||
		string(h) != string(k.CodeHash("1/2/1-1-101", "123456")) || string(h) == string(k.CodeHash("1/2/1-1-101", "123457")) {
		t.Error("the code hash is not bound to its key, subject and code")
	}
}

func TestTokenIsRandomAndHashed(t *testing.T) {
	a, b := Token(), Token()
	if a == b || len(a) != 26 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if len(Hash(a)) != 32 {
		t.Fatal("hash is not SHA-256")
	}
}

func TestBallotTokenIsDerivedPerSeedUnitAndKey(t *testing.T) {
	a, b := &Keys{Master: [KeySize]byte{1}}, &Keys{Master: [KeySize]byte{2}}
	seed, other := make([]byte, 32), make([]byte, 32)
	other[0] = 1
	tok := a.BallotToken(seed, "1-1-101")
	if len(tok) != 26 || strings.ToLower(tok) != tok {
		t.Errorf("token %q: want 26 lower-case base32 characters", tok)
	}
	if a.BallotToken(seed, "1-1-101") != tok {
		t.Error("the same seed, unit and key gave another token")
	}
	for what, t2 := range map[string]string{
		"another unit":       a.BallotToken(seed, "1-1-102"),
		"another seed":       a.BallotToken(other, "1-1-101"),
		"another master key": b.BallotToken(seed, "1-1-101"),
	} {
		if t2 == tok {
			t.Errorf("%s gave the same token", what)
		}
	}
}
