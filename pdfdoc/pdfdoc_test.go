package pdfdoc

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongjue/internal/testtool"
	"gongjue/locale"
)

const sample = "共决 业主大会表决结果公示 同意 反对 弃权 1502 室 89.35 m²"

func notice(t testing.TB, opts ...Option) []byte {
	t.Helper()
	f := New(opts...)
	f.AddPage()
	f.SetFontSize(18)
	f.CellFormat(0, 10, "业主大会表决结果公示", "", 1, "C", false, 0, "")
	f.SetFontSize(DefaultFontSize)
	f.MultiCell(0, 6, sample, "", "L", false)
	f.MultiCell(0, 6, "✓ ✘ ≥ ≤ ¥ ㎡ × ÷ · — “引号” （括号）：，。", "", "L", false)
	pdf, err := Bytes(f)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func TestChineseTextExtractsAndRenders(t *testing.T) {
	testtool.Need(t, "pdftotext")
	testtool.Need(t, "pdftoppm")
	dir := t.TempDir()
	path := filepath.Join(dir, "notice.pdf")
	if err := os.WriteFile(path, notice(t), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range strings.Fields(sample) {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, text)
		}
	}

	out, err = exec.Command("pdftoppm", "-r", "50", "-png", path, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	png1, err := os.Open(filepath.Join(dir, "page-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer png1.Close()
	img, err := png.Decode(png1)
	if err != nil {
		t.Fatal(err)
	}
	// Something must have been drawn: count dark pixels.
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				dark++
			}
		}
	}
	if dark < 200 {
		t.Errorf("rendered page has only %d dark pixels", dark)
	}
}

func TestAtIsDeterministic(t *testing.T) {
	at := At(time.Date(2025, 3, 1, 9, 30, 0, 0, locale.China))
	first := notice(t, at, Title("公示"))
	for i := 0; i < 5; i++ {
		if again := notice(t, at, Title("公示")); !bytes.Equal(first, again) {
			t.Fatalf("run %d differs from the first", i+1)
		}
	}
	if !bytes.Contains(first, []byte("/CreationDate (D:20250301093000)")) {
		t.Errorf("creation date not fixed")
	}
}

func TestConcurrentDocuments(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			notice(t)
		}()
	}
	wg.Wait()
}

func TestNoBoldFace(t *testing.T) {
	f := New()
	f.AddPage()
	f.SetFont(Family, "B", 12)
	if f.Error() == nil {
		t.Fatal("bold style unexpectedly available; update the package doc")
	}
}

// BenchmarkNotice measures one page of Chinese text, from New to bytes.
func BenchmarkNotice(b *testing.B) {
	for b.Loop() {
		notice(b)
	}
}

// BenchmarkBallotPacket measures a ballot packet of 3,762 text-only pages.
func BenchmarkBallotPacket(b *testing.B) {
	for b.Loop() {
		f := New()
		for i := range 3762 {
			f.AddPage()
			f.SetFontSize(16)
			f.CellFormat(0, 10, "阳光花园 2025 年第一次业主大会表决票", "", 1, "C", false, 0, "")
			f.SetFontSize(DefaultFontSize)
			f.CellFormat(0, 7, "房号：3 栋 2 单元 15 层 1502 室  建筑面积：89.35 m²  业主：张*明", "", 1, "L", false, 0, "")
			for m := 1; m <= 6; m++ {
				f.MultiCell(0, 6, "表决事项：关于使用专项维修资金更换 1-6 号楼电梯的议案，预算总额不超过 ¥3,600,000 元。", "", "L", false)
				f.CellFormat(0, 8, "□ 同意    □ 反对    □ 弃权", "", 1, "L", false, 0, "")
			}
			f.CellFormat(0, 7, "截止时间：2025-03-31 18:00  票码：K7Q2-"+string(rune('A'+i%26)), "", 1, "L", false, 0, "")
		}
		pdf, err := Bytes(f)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(pdf))/(1<<20), "MiB")
	}
}
