package pdfsign

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gongjue/internal/testtool"
	"gongjue/pdfdoc"
)

const noticeText = "共决 业主大会表决结果公示 同意 反对 弃权 1502 室 89.35 m²"

// identities are made once: RSA key generation is slow under -race.
var identities = sync.OnceValues(func() ([2]Identity, error) {
	a, err := NewIdentity("阳光花园业主委员会", "阳光花园", 365*24*time.Hour)
	if err != nil {
		return [2]Identity{}, err
	}
	b, err := NewIdentity("阳光社区居民委员会", "阳光社区", 365*24*time.Hour)
	return [2]Identity{a, b}, err
})

func testIdentities(t testing.TB) (owners, residents Identity) {
	t.Helper()
	ids, err := identities()
	if err != nil {
		t.Fatal(err)
	}
	return ids[0], ids[1]
}

// notice returns a two-page Chinese PDF made by pdfdoc, with a link
// annotation on page 1 that signing must keep.
func notice(t testing.TB) []byte {
	t.Helper()
	f := pdfdoc.New(pdfdoc.At(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)))
	f.AddPage()
	f.MultiCell(0, 8, noticeText, "", "L", false)
	f.LinkString(20, 40, 50, 10, "https://example.org/verify/N-1")
	f.AddPage()
	f.Cell(0, 8, "第二页")
	pdf, err := pdfdoc.Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// signTwice signs pdf as the owners' committee, then the residents'.
func signTwice(t testing.TB, pdf []byte) []byte {
	t.Helper()
	owners, residents := testIdentities(t)
	once, err := Sign(pdf, owners, Info{Reason: "业主委员会审核通过", Location: "阳光花园"})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Sign(once, residents, Info{Reason: "居民委员会会签"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(twice, once) || !bytes.HasPrefix(once, pdf) {
		t.Fatal("signing did not append to the file")
	}
	return twice
}

// pdfsig runs poppler's pdfsig on pdf and returns its report of each
// signature, in order.
func pdfsig(t *testing.T, pdf []byte) []string {
	t.Helper()
	testtool.Need(t, "pdfsig")
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	// pdfsig exits non-zero when a signature is invalid; its report is
	// what matters.
	out, _ := exec.Command("pdfsig", "-nocert", path).CombinedOutput()
	blocks := regexp.MustCompile(`(?m)^Signature #\d+:`).Split(string(out), -1)
	if len(blocks) < 1 {
		t.Fatalf("pdfsig: %s", out)
	}
	return blocks[1:]
}

func TestTwoSignaturesValidForPdfsig(t *testing.T) {
	signed := signTwice(t, notice(t))

	report := pdfsig(t, signed)
	if len(report) != 2 {
		t.Fatalf("pdfsig reports %d signatures, want 2:\n%s", len(report), strings.Join(report, "\n"))
	}
	for i, want := range []struct{ cn, coverage string }{
		{"阳光花园业主委员会", "Not total document signed"},
		{"阳光社区居民委员会", "Total document signed"},
	} {
		r := report[i]
		for _, s := range []string{"Signature Validation: Signature is Valid.", "Common Name: " + want.cn, want.coverage, "SHA-256", "adbe.pkcs7.detached"} {
			if !strings.Contains(r, s) {
				t.Errorf("signature #%d: pdfsig report lacks %q:\n%s", i+1, s, r)
			}
		}
	}

	testtool.Need(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, signed, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "业主大会表决结果公示") || !strings.Contains(string(out), "第二页") {
		t.Errorf("pdftotext lost the text of the signed file:\n%s", out)
	}
}

func TestVerify(t *testing.T) {
	owners, residents := testIdentities(t)
	signed := signTwice(t, notice(t))
	sigs, err := Verify(signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("Verify found %d signatures, want 2", len(sigs))
	}
	for i, want := range []struct {
		id        Identity
		whole     bool
		field     string
		reason    string
		location  string
		signedLen int
	}{
		{owners, false, "Signature1", "业主委员会审核通过", "阳光花园", bytes.LastIndex(signed[:len(signed)-1], []byte("%%EOF\n")) + 6},
		{residents, true, "Signature2", "居民委员会会签", "", len(signed)},
	} {
		s := sigs[i]
		if !s.Valid || s.Problem != "" {
			t.Errorf("signature %d invalid: %s", i+1, s.Problem)
		}
		if s.Signer == nil || !bytes.Equal(s.Signer.Raw, want.id.Certificate.Raw) {
			t.Errorf("signature %d: wrong signer certificate", i+1)
		}
		if s.WholeFile != want.whole || s.SignedBytes != want.signedLen {
			t.Errorf("signature %d: WholeFile %v SignedBytes %d, want %v %d", i+1, s.WholeFile, s.SignedBytes, want.whole, want.signedLen)
		}
		if s.Field != want.field || s.Name != want.id.Certificate.Subject.CommonName || s.Reason != want.reason || s.Location != want.location {
			t.Errorf("signature %d: %+v", i+1, s)
		}
		if time.Since(s.SignedAt).Abs() > time.Minute {
			t.Errorf("signature %d: signed at %v", i+1, s.SignedAt)
		}
	}

	sigs, err = Verify(notice(t))
	if err != nil || len(sigs) != 0 {
		t.Errorf("unsigned file: %d signatures, %v", len(sigs), err)
	}
}

// pageContentOffset returns the offset of the middle of page 1's content
// stream data.
func pageContentOffset(t *testing.T, pdf []byte) int {
	t.Helper()
	doc, err := readDocument(pdf)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := doc.catalog()
	if err != nil {
		t.Fatal(err)
	}
	_, page, err := doc.firstPage(catalog)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, _ := page.get("Contents")
	r, ok := parseRef(raw)
	if !ok {
		t.Fatalf("page /Contents %q", raw)
	}
	v, err := doc.object(r)
	if err != nil {
		t.Fatal(err)
	}
	start := v.end + bytes.Index(pdf[v.end:], []byte("stream\n")) + len("stream\n")
	end := start + bytes.Index(pdf[start:], []byte("endstream"))
	return (start + end) / 2
}

func TestTamperedContentIsInvalid(t *testing.T) {
	signed := signTwice(t, notice(t))
	tampered := bytes.Clone(signed)
	tampered[pageContentOffset(t, tampered)] ^= 0x01

	sigs, err := Verify(tampered)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("Verify found %d signatures in the tampered file, want 2", len(sigs))
	}
	for i, s := range sigs {
		if s.Valid || s.Problem == "" {
			t.Errorf("signature %d of the tampered file verified", i+1)
		}
	}

	report := pdfsig(t, tampered)
	if len(report) != 2 {
		t.Fatalf("pdfsig reports %d signatures in the tampered file, want 2", len(report))
	}
	for i, r := range report {
		if strings.Contains(r, "Signature is Valid") || !strings.Contains(r, "Signature Validation:") {
			t.Errorf("pdfsig on the tampered file, signature #%d:\n%s", i+1, r)
		}
	}
}

func TestAppendedBytesAreNotCovered(t *testing.T) {
	signed := signTwice(t, notice(t))
	sigs, err := Verify(append(bytes.Clone(signed), "\n% appended\n"...))
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 || sigs[1].WholeFile || !sigs[1].Valid {
		t.Errorf("after appending: %+v", sigs)
	}
}

func TestThirdSignature(t *testing.T) {
	owners, _ := testIdentities(t)
	thrice, err := Sign(signTwice(t, notice(t)), owners, Info{Name: "复核"})
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := Verify(thrice)
	if err != nil || len(sigs) != 3 || !sigs[0].Valid || !sigs[1].Valid || !sigs[2].Valid || !sigs[2].WholeFile || sigs[2].Name != "复核" {
		t.Fatalf("three signatures: %+v, %v", sigs, err)
	}
	report := pdfsig(t, thrice)
	if len(report) != 3 || strings.Count(strings.Join(report, ""), "Signature is Valid.") != 3 {
		t.Errorf("pdfsig on three signatures:\n%s", strings.Join(report, "\n"))
	}
}

// xrefStreamPDF is a small PDF 1.5 file whose cross-reference table is a
// stream.
func xrefStreamPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	o1 := b.Len()
	b.WriteString("1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n")
	o2 := b.Len()
	b.WriteString("2 0 obj\n<</Type /Pages /Kids [] /Count 0>>\nendobj\n")
	o3 := b.Len()
	rows := []byte{0, 0, 0, 1, byte(o1 >> 8), byte(o1), 1, byte(o2 >> 8), byte(o2), 1, byte(o3 >> 8), byte(o3)}
	fmt.Fprintf(&b, "3 0 obj\n<</Type /XRef /Size 4 /W [1 2 0] /Root 1 0 R /Length %d>>\nstream\n", len(rows))
	b.Write(rows)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", o3)
	return b.Bytes()
}

func TestRejectsWhatItCannotSign(t *testing.T) {
	owners, _ := testIdentities(t)
	enc := pdfdoc.New()
	enc.SetProtection(0, "", "owner")
	enc.AddPage()
	encrypted, err := pdfdoc.Bytes(enc)
	if err != nil {
		t.Fatal(err)
	}
	good := notice(t)
	for _, c := range []struct {
		name string
		pdf  []byte
		want error
	}{
		{"garbage", []byte("this is not a PDF at all"), ErrNotPDF},
		{"empty", nil, ErrNotPDF},
		{"truncated", good[:len(good)-40], ErrNotPDF},
		{"bad startxref", bytes.Replace(bytes.Clone(good), []byte("startxref\n"), []byte("startxref\n9"), 1), ErrNotPDF},
		{"xref stream", xrefStreamPDF(), ErrUnsupported},
		{"encrypted", encrypted, ErrUnsupported},
	} {
		_, err := Sign(c.pdf, owners, Info{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Sign error %v, want %v", c.name, err, c.want)
		}
		if _, err := Verify(c.pdf); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify error %v, want %v", c.name, err, c.want)
		}
	}
}

func TestSignRejectsMismatchedIdentity(t *testing.T) {
	owners, residents := testIdentities(t)
	for _, id := range []Identity{{}, {Certificate: owners.Certificate, Key: residents.Key}} {
		if _, err := Sign(notice(t), id, Info{}); err == nil {
			t.Error("Sign accepted a bad identity")
		}
	}
}

func TestNewIdentityCertificate(t *testing.T) {
	owners, _ := testIdentities(t)
	c := owners.Certificate
	if c.Subject.CommonName != "阳光花园业主委员会" || len(c.Subject.Organization) != 1 || c.IsCA {
		t.Errorf("subject %v, CA %v", c.Subject, c.IsCA)
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if time.Until(c.NotAfter) < 364*24*time.Hour || time.Since(c.NotBefore) < 0 {
		t.Errorf("validity %v – %v", c.NotBefore, c.NotAfter)
	}
	if _, err := NewIdentity("", "", time.Hour); err == nil {
		t.Error("NewIdentity accepted an empty common name")
	}
}

func TestTextStrings(t *testing.T) {
	for _, s := range []string{"", "Signature1", `a (b) \c`, "业主委员会", "mixed 中文 (1502)"} {
		if got := parseText([]byte(textString(s))); got != s {
			t.Errorf("text string %q came back as %q", s, got)
		}
	}
	if got := parseText([]byte(`(a\(b\)\\\101\nc\
d)`)); got != "a(b)\\A\ncd" {
		t.Errorf("literal escapes: %q", got)
	}
}

func TestSignTiming(t *testing.T) {
	owners, _ := testIdentities(t)
	pdf := notice(t)
	start := time.Now()
	signed, err := Sign(pdf, owners, Info{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Sign of a one-page notice (%d bytes): %v", len(pdf), time.Since(start))
	start = time.Now()
	if _, err := Verify(signed); err != nil {
		t.Fatal(err)
	}
	t.Logf("Verify: %v", time.Since(start))
}

func BenchmarkSign(b *testing.B) {
	owners, _ := testIdentities(b)
	pdf := notice(b)
	for b.Loop() {
		if _, err := Sign(pdf, owners, Info{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoticeRenderAndSign measures the notice budget: render one page
// with pdfdoc, then sign it twice.
func BenchmarkNoticeRenderAndSign(b *testing.B) {
	testIdentities(b)
	for b.Loop() {
		signTwice(b, notice(b))
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(signTwice(f, notice(f)))
	f.Add(xrefStreamPDF())
	f.Fuzz(func(t *testing.T, pdf []byte) {
		if len(pdf) > 1<<20 {
			return
		}
		Verify(pdf)
		owners, _ := testIdentities(t)
		Sign(pdf, owners, Info{})
	})
}
