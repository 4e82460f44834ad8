package ballot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gongjue/internal/testtool"
	"gongjue/secret"
)

func sampleConsultation() *Consultation {
	return &Consultation{
		ID: 7, Title: "关于12幢2单元加装电梯的表决", Round: 1,
		Scope:    Scope{Building: "12", Entrance: "2"},
		ClosesAt: time.Date(2026, 5, 31, 10, 0, 0, 0, time.UTC),
		Matters: []Matter{
			{ID: 1, Title: "是否同意加装电梯", Description: "加装电梯方案详见公告栏。", Kind: Approve, Category: "major", Rules: json.RawMessage(`"major"`)},
			{ID: 2, Title: "电梯品牌", Kind: Choice, Category: "ordinary", Rules: json.RawMessage(`"ordinary"`), Options: []string{"蒂森", "三菱", "日立"}},
			{ID: 3, Title: "选举楼组代表", Kind: Election, Category: "ordinary", Rules: json.RawMessage(`"ordinary"`), Options: []string{"王五", "赵六", "钱七"}, Seats: 2},
		},
	}
}

func sampleBallots(n int) []PacketBallot {
	var bs []PacketBallot
	for i := range n {
		floor := 1 + i%18
		room := fmt.Sprintf("%d%02d", floor, 1+i/18%4)
		b := PacketBallot{
			Place:     Place{Building: fmt.Sprint(12 - i%3*5), Entrance: "2", Floor: floor, Room: room},
			Zone:      "高层",
			Area:      8935 + 100*3,
			OwnerName: "张三丰",
			Token:     secret.Token(),
			Code:      NewCode(),
		}
		b.UnitID = b.Building + "-" + b.Entrance + "-" + b.Room
		bs = append(bs, b)
	}
	return bs
}

// TestPacketQRCodesDecode renders a packet, rasterises it and decodes every
// QR code with zbarimg: each page's code must be its own unit's URL.
func TestPacketQRCodesDecode(t *testing.T) {
	testtool.Need(t, "pdftoppm", "pdftotext", "zbarimg")
	dir := t.TempDir()
	ballots := sampleBallots(6)
	var buf bytes.Buffer
	pages, err := WritePacket(&buf, Packet{Estate: "共决示范小区", Consultation: sampleConsultation(), PublicURL: "https://vote.example.cn/"}, ballots)
	if err != nil {
		t.Fatal(err)
	}
	if pages != len(ballots) {
		t.Fatalf("%d pages for %d ballots", pages, len(ballots))
	}
	pdf := filepath.Join(dir, "ballots.pdf")
	os.WriteFile(pdf, buf.Bytes(), 0o600)
	if out, err := exec.Command("pdftoppm", "-r", "150", "-gray", "-png", pdf, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pageTexts := strings.Split(string(text), "\f")
	sorted := slices.Clone(ballots)
	slices.SortStableFunc(sorted, func(a, b PacketBallot) int { return ComparePlaces(a.Place, b.Place) })
	for i, b := range sorted {
		png := filepath.Join(dir, fmt.Sprintf("p-%d.png", i+1))
		out, err := exec.Command("zbarimg", "-q", "--raw", png).Output()
		if err != nil {
			t.Fatalf("zbarimg page %d: %v", i+1, err)
		}
		want := "https://vote.example.cn/v/" + b.Token
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("page %d (unit %s): QR code %q, want %q", i+1, b.UnitID, got, want)
		}
		for _, s := range []string{"关于12幢2单元加装电梯的表决", b.UnitID, FormatCode(b.Code), "张**", "同意", "反对", "弃权", "蒂森", "业主签名"} {
			if !strings.Contains(pageTexts[i], s) {
				t.Errorf("page %d lacks %q", i+1, s)
			}
		}
		if strings.Contains(pageTexts[i], "张三丰") {
			t.Errorf("page %d shows the owner's name unmasked", i+1)
		}
	}
	if !regexp.MustCompile(`2026-05-31 18:00`).MatchString(pageTexts[0]) {
		t.Errorf("deadline not printed in Beijing time:\n%s", pageTexts[0])
	}
}

func BenchmarkPacket(b *testing.B) {
	ballots := sampleBallots(3762)
	p := Packet{Estate: "共决示范小区", Consultation: sampleConsultation(), PublicURL: "http://localhost:8080"}
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := WritePacket(&buf, p, ballots); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1e6, "MB")
	}
}
