package locale_test

import (
	"math"
	"testing"
	"time"

	"gongjue/locale"
	"gongjue/quorum"
)

func TestPercent(t *testing.T) {
	tests := []struct {
		part, whole int64
		want        string
	}{
		{0, 1, "0.00%"}, {1, 1, "100.00%"}, {1, 3, "33.33%"}, {2, 3, "66.67%"}, {1, 200, "0.50%"},
		{1, 20000, "0.01%"}, {1, 30000, "0.00%"}, {7641, 10000, "76.41%"}, {321, 500, "64.20%"},
		// Half up: 1/1600 = 0.0625% → 0.06%, 1/800 = 0.125% → 0.13%, and
		// 2/3 → 66.67% (rounding down gave 66.66%, one decimal 66.7%).
		{1, 1600, "0.06%"}, {1, 800, "0.13%"}, {200, 300, "66.67%"}, {5, 8, "62.50%"},
		{math.MaxInt64 - 1, math.MaxInt64, "100.00%"}, {math.MaxInt64 / 2, math.MaxInt64, "50.00%"},
		{0, 0, "—"}, {3, 0, "—"},
	}
	for _, tt := range tests {
		if got := locale.Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %s, want %s", tt.part, tt.whole, got, tt.want)
		}
	}
	if got := locale.PercentNumber(2, 3); got != "66.67" {
		t.Errorf("PercentNumber(2, 3) = %s, want 66.67", got)
	}
	if got := locale.PercentNumber(0, 0); got != "0.00" {
		t.Errorf("PercentNumber(0, 0) = %s, want 0.00", got)
	}
}

func TestFigures(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 2488: "2,488", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := locale.Count(n); got != want {
			t.Errorf("Count(%d) = %s, want %s", n, got, want)
		}
	}
	for a, want := range map[int64]string{0: "0.00", 5: "0.05", 4436012: "44,360.12", -123456: "-1,234.56"} {
		if got := locale.Area(a); got != want {
			t.Errorf("Area(%d) = %s, want %s", a, got, want)
		}
	}
	at := time.Date(2026, 5, 31, 10, 0, 0, 0, time.UTC)
	if got := locale.Minute(at); got != "2026-05-31 18:00" {
		t.Errorf("Minute = %s, want China time 2026-05-31 18:00", got)
	}
	if got := locale.DayZH(at.Add(14 * time.Hour)); got != "2026年6月1日" {
		t.Errorf("DayZH = %s, want 2026年6月1日 (past midnight in China)", got)
	}
}

func TestFraction(t *testing.T) {
	tests := []struct {
		f      quorum.Fraction
		zh, en string
	}{
		{quorum.Fraction{Num: 2, Den: 3}, "三分之二以上", "at least 2/3"},
		{quorum.Fraction{Num: 3, Den: 4}, "四分之三以上", "at least 3/4"},
		{quorum.Fraction{Num: 1, Den: 2, Strict: true}, "过半数", "more than half"},
		{quorum.Fraction{Num: 3, Den: 4, Strict: true}, "超过四分之三", "more than 3/4"},
		{quorum.Fraction{Num: 0, Den: 1}, "不限", "no requirement"},
		{quorum.Fraction{Num: 1, Den: 1}, "全部", "all"},
		{quorum.Fraction{Num: 7, Den: 12}, "12分之七以上", "at least 7/12"},
	}
	for _, tt := range tests {
		got := locale.Fraction(tt.f.Num, tt.f.Den, tt.f.Strict)
		if got.ZH != tt.zh || got.EN != tt.en {
			t.Errorf("Fraction(%v) = %+v, want %s / %s", tt.f, got, tt.zh, tt.en)
		}
	}
}

// Every veto mode quorum knows has its own words, and the what-if names
// the other modes in quorum's order.
func TestVetoModes(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range quorum.VetoModes {
		name := locale.VetoModeName(string(m))
		if name.ZH == "" || name.EN == "" || seen[name.ZH] {
			t.Errorf("veto mode %s: name %+v missing or shared", m, name)
		}
		seen[name.ZH] = true
		if locale.VetoModeExplained(string(m)) == locale.VetoModeExplained("") && m != quorum.VetoNone {
			t.Errorf("veto mode %s falls back to none's explanation", m)
		}
	}
	got := locale.WhatIf(string(quorum.VetoAllZones), func(m string) bool { return m == string(quorum.VetoNone) })
	if want := "如采用其他否决方式 —— 无分区否决：通过；分区否决：未通过"; got.ZH != want {
		t.Errorf("WhatIf = %s, want %s", got.ZH, want)
	}
	if got := locale.Veto(string(quorum.VetoZoneRejection), []string{"别墅", "商铺"}); got.ZH != "分区否决；有否决权的区域：别墅、商铺" || got.EN != "zone rejection; veto zones: 别墅, 商铺" {
		t.Errorf("Veto = %+v", got)
	}
}

func TestVerdict(t *testing.T) {
	for _, tt := range []struct {
		passed, participation bool
		want                  string
	}{
		{true, true, "通过"},
		{false, false, "未达到参与表决比例，未形成有效决定"},
		{false, true, "表决未通过"},
	} {
		if got := locale.Verdict(tt.passed, tt.participation).ZH; got != tt.want {
			t.Errorf("Verdict(%v, %v) = %s, want %s", tt.passed, tt.participation, got, tt.want)
		}
	}
}

func TestScope(t *testing.T) {
	if got := locale.Scope("", "", ""); got.ZH != "全小区" || got.EN != "Whole estate" {
		t.Errorf("whole estate = %+v", got)
	}
	if got := locale.Scope("高层", "12", "2"); got.ZH != "高层区 12幢 2单元" || got.EN != "zone 高层, building 12, entrance 2" {
		t.Errorf("entrance = %+v", got)
	}
}

// A choice matter's ballots for the other options are never called 反对.
func TestAgreeOppose(t *testing.T) {
	for kind, want := range map[string][2]string{"approve": {"同意", "反对"}, "choice": {"选此选项", "选其他选项"}, "election": {"选此选项", "只选其他候选人"}} {
		agree, oppose := locale.AgreeOppose(kind)
		if agree.ZH != want[0] || oppose.ZH != want[1] {
			t.Errorf("%s: %s / %s, want %s / %s", kind, agree.ZH, oppose.ZH, want[0], want[1])
		}
	}
	if _, oppose := locale.AgreeOppose("choice"); oppose.EN != "For another option" {
		t.Errorf("choice oppose in English: %s", oppose.EN)
	}
}

func TestBilingual(t *testing.T) {
	for _, c := range []struct{ in, zh, en string }{
		{"未找到 / not found", "未找到", "not found"},
		{"请上传名册文件（字段 file）/ upload the roll as multipart field \"file\"", "请上传名册文件（字段 file）", "upload the roll as multipart field \"file\""},
		{"请先设置（PUT /api/v1/communities/{cid}/signing/{body}）/ set it first", "请先设置（PUT /api/v1/communities/{cid}/signing/{body}）", "set it first"},
		{"未作选择：电梯品牌 / missing: nothing chosen for \"电梯品牌\"", "未作选择：电梯品牌", "missing: nothing chosen for \"电梯品牌\""},
		{"只有中文", "只有中文", "只有中文"},
	} {
		if got := locale.Bilingual(c.in); got.ZH != c.zh || got.EN != c.en {
			t.Errorf("Bilingual(%q) = %q / %q", c.in, got.ZH, got.EN)
		}
	}
}
