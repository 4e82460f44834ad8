package ballot

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"gongjue/internal/testtool"
	"gongjue/locale"
	"gongjue/quorum"
)

func TestElectionNoVeto(t *testing.T) {
	for _, mode := range quorum.VetoModes {
		for _, kind := range []Kind{Approve, Choice, Election} {
			got := ElectionNoVeto(quorum.Veto{Mode: mode}, string(kind))
			if want := kind == Election && mode != quorum.VetoNone; (got != nil) != want {
				t.Errorf("%s under %s: sentence %v, want %v", kind, mode, got, want)
			}
		}
	}
	if ElectionNoVeto(quorum.Veto{}, string(Election)) != nil {
		t.Error("an unset veto mode is none")
	}
}

// The paper ballot says it too, under its election.
func TestPacketSaysElectionsTakeNoVeto(t *testing.T) {
	testtool.Need(t, "pdftotext")
	text := func(veto quorum.Veto) string {
		c := sampleConsultation()
		c.Veto = veto
		var buf bytes.Buffer
		if _, err := WritePacket(&buf, Packet{Estate: "共决示范小区", Consultation: c, PublicURL: "https://vote.example.cn/"}, sampleBallots(1)); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
		cmd.Stdin = &buf
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(out)), "")
	}
	if got := text(quorum.Veto{Mode: quorum.VetoAllZones}); !strings.Contains(got, locale.ElectionNoVeto.ZH) {
		t.Errorf("the packet under a veto lacks %q:\n%s", locale.ElectionNoVeto.ZH, got)
	}
	if got := text(quorum.Veto{Mode: quorum.VetoNone}); strings.Contains(got, locale.ElectionNoVeto.ZH) {
		t.Error("the packet without a veto speaks of it")
	}
}
