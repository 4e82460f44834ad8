// Package notice makes the result notice (公示) of a closed consultation
// (DESIGN §7): an A4 PDF in Simplified Chinese rendered from the frozen
// result alone, approved by the owners' committee and the residents'
// committee, and then signed by both — the committee's signature first,
// the residents' committee's countersignature second — as incremental
// updates, so any PDF reader (and poppler's pdfsig) can check both.
package notice

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	qrcode "github.com/skip2/go-qrcode"

	"gongjue/locale"
	"gongjue/pdfdoc"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/tally"
)

// Content is everything a notice shows. Result is the decoded frozen result
// whose stored bytes hash to ResultSHA256.
type Content struct {
	NoticeID      string // as stored; printed as postgres.FormatNoticeNumber writes it
	Result        *tally.Document
	ResultSHA256  string
	PeriodDays    int       // 公示期
	ObjectionDays int       // 异议期; 0: none
	From          time.Time // the notice period starts: when the notice is signed
	VerifyURL     string    // {PUBLIC_URL}/verify/{NoticeID}, in the QR code
	// Procedure is the registered rules of procedure the vote was held
	// under, nil without one (the defaults of Art. 278 applied).
	Procedure *Procedure
	// Counting is how the rules count unreturned and spoiled ballots (§3.5).
	Counting quorum.Procedure
	// Signatures are the two bodies' blocks, committee first.
	Signatures [2]SignatureBlock
	Layout     string // postgres.LayoutFull (the default), LayoutA4Poster or LayoutA3Poster
	Draft      bool   // watermark 草稿 / DRAFT: the unsigned preview
}

// Procedure is a registered version of the rules of procedure (DESIGN §3.6).
type Procedure struct {
	Version int
	SHA256  []byte // of the adopted text's original
}

// SignatureBlock is what a notice prints of one body's signature: who
// approved for it, when, and the fingerprint of the certificate it signs
// with; the box beside it is left for the physical seal.
type SignatureBlock struct {
	Body       string // the body's name, e.g. 幸福花园业主委员会
	Signer     string // the approving account; empty until it approves
	At         time.Time
	CertSHA256 string // hex; empty until the body has a key
}

// PeriodEnd is the last day of the notice period: From plus PeriodDays − 1
// calendar days, the day of posting being the first.
func (c *Content) PeriodEnd() time.Time {
	return c.From.In(locale.China).AddDate(0, 0, c.PeriodDays-1)
}

// ObjectionEnd is the last day of the objection period, counted as the
// notice period is; the zero time without one.
func (c *Content) ObjectionEnd() time.Time {
	if c.ObjectionDays <= 0 {
		return time.Time{}
	}
	return c.From.In(locale.China).AddDate(0, 0, c.ObjectionDays-1)
}

// FinalAt is when the result becomes final: at posting without an
// objection period, otherwise at the start of the day after it ends.
func (c *Content) FinalAt() time.Time {
	if c.ObjectionDays <= 0 {
		return c.From
	}
	d := c.From.In(locale.China)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, locale.China).AddDate(0, 0, c.ObjectionDays)
}

// Keywords is the document's keywords entry: the notice id and the hash of
// the result it states. It is written unencoded in the PDF's information
// dictionary, inside the signed bytes, so the verification page can read
// back which result was signed.
func Keywords(noticeID, resultSHA256 string) string {
	return "gongjue-notice:" + noticeID + " result-sha256:" + resultSHA256
}

// Page sizes in millimetres.
var (
	a4 = gofpdf.SizeType{Wd: 210, Ht: 297}
	a3 = gofpdf.SizeType{Wd: 297, Ht: 420}
)

// Render draws the notice in c.Layout. The same content gives the same bytes.
func Render(c *Content) ([]byte, error) {
	d := c.Result
	f := pdfdoc.New(pdfdoc.At(c.From), pdfdoc.Title(d.Consultation.Community+" 表决结果公告"))
	f.SetKeywords(Keywords(c.NoticeID, c.ResultSHA256), false)
	f.SetSubject("表决结果公告 / result notice "+c.NoticeID, true)
	f.SetAuthor(c.Signatures[0].Body, true)
	f.SetAutoPageBreak(false, 0) // the renderer breaks pages itself, keeping blocks whole
	r := &renderer{f: f, c: c, page: a4, scale: 1}
	f.SetFooterFunc(r.footer)
	switch c.Layout {
	case postgres.LayoutA4Poster, postgres.LayoutA3Poster:
		r.poster = true
		if c.Layout == postgres.LayoutA3Poster {
			r.page = a3
		}
		r.fitOnePage()
		f.AddPageFormat("P", r.page)
		r.draw(r.blocks())
	case postgres.LayoutFull, "":
		f.AddPageFormat("P", r.page)
		r.draw(r.blocks())
	default:
		return nil, fmt.Errorf("notice: unknown layout %q", c.Layout)
	}
	return pdfdoc.Bytes(f)
}

type renderer struct {
	f      *gofpdf.Fpdf
	c      *Content
	page   gofpdf.SizeType
	scale  float64 // every font size and gap is multiplied by it
	poster bool    // one page: no legal-basis sentences, sizes fitted
}

// Body text is 12 pt on the full notice (DESIGN §7: a lobby document).
const bodyPt = 12.0

// footerRoom is the height kept free for the footer.
const footerRoom = 14.0

func (r *renderer) width() float64 { return r.page.Wd - pdfdoc.MarginLeft - pdfdoc.MarginRight }

func (r *renderer) bottom() float64 { return r.page.Ht - pdfdoc.MarginBottom - footerRoom }

func (r *renderer) pt(size float64) float64 { return size * r.scale }

// lineH is the line height of text of size pt (already scaled): 1.45 lines.
func lineH(pt float64) float64 { return pt * 0.3528 * 1.45 }

// A block is a part of the notice kept on one page where it fits: a
// matter with its tables, the closing with the signatures.
type block []item

// An item is one paragraph, table or gap of a block.
type item interface {
	height(r *renderer) float64
	draw(r *renderer)
}

func (b block) height(r *renderer) float64 {
	h := 0.0
	for _, it := range b {
		h += it.height(r)
	}
	return h
}

// draw writes the blocks in order, starting a block on a new page when it
// does not fit on the rest of this one but would on a page of its own.
func (r *renderer) draw(blocks []block) {
	f := r.f
	full := r.bottom() - pdfdoc.MarginTop
	for _, b := range blocks {
		h := b.height(r)
		if f.GetY()+h > r.bottom() && h <= full && f.GetY() > pdfdoc.MarginTop+1 {
			f.AddPageFormat("P", r.page)
		}
		for _, it := range b {
			it.draw(r)
		}
	}
	if r.c.Draft {
		r.watermarkPages()
	}
}

// fitOnePage picks the largest scale at which the poster fits its page.
func (r *renderer) fitOnePage() {
	blocks := func() float64 {
		h := 0.0
		for _, b := range r.blocks() {
			h += b.height(r)
		}
		return h
	}
	room := r.bottom() - pdfdoc.MarginTop
	for r.scale = 2.0; r.scale > 0.45; r.scale -= 0.05 {
		if blocks() <= room {
			return
		}
	}
}

// para is a paragraph of text.
type para struct {
	size  float64 // unscaled points
	text  string
	bold  bool
	align string
}

func (p para) lines(r *renderer) []string {
	r.f.SetFontSize(r.pt(p.size))
	return pdfdoc.Lines(r.f, printable(p.text), r.width())
}

func (p para) height(r *renderer) float64 {
	return float64(len(p.lines(r))) * lineH(r.pt(p.size))
}

func (p para) draw(r *renderer) {
	f := r.f
	lines := p.lines(r)
	if p.bold { // a faux bold: the face has no bold style
		f.SetTextRenderingMode(2)
		f.SetLineWidth(0.25)
	}
	align := p.align
	if align == "" {
		align = "L"
	}
	for _, l := range lines {
		f.CellFormat(r.width(), lineH(r.pt(p.size)), l, "", 2, align, false, 0, "")
	}
	f.SetX(pdfdoc.MarginLeft)
	if p.bold {
		f.SetTextRenderingMode(0)
		f.SetLineWidth(0.2)
	}
}

// gap is vertical space in unscaled millimetres.
type gap float64

func (g gap) height(r *renderer) float64 { return float64(g) * r.scale }
func (g gap) draw(r *renderer)           { r.f.Ln(g.height(r)) }

// grid is a bordered table; widths are fractions of the text width, the
// first column is a label (left-aligned), the others figures
// (right-aligned), or text (left-aligned) or centred as align says. A
// cell's text may wrap.
type grid struct {
	size   float64
	widths []float64
	head   []string
	rows   [][]string
	align  string // "" figures, "L" text, "C" centred
}

func (g grid) rowHeight(r *renderer, cells []string) float64 {
	r.f.SetFontSize(r.pt(g.size))
	n := 1
	for i, cell := range cells {
		n = max(n, len(pdfdoc.Lines(r.f, printable(cell), g.widths[i]*r.width())))
	}
	return float64(n)*lineH(r.pt(g.size)) + 1.5*r.scale
}

func (g grid) height(r *renderer) float64 {
	h := g.rowHeight(r, g.head)
	for _, row := range g.rows {
		h += g.rowHeight(r, row)
	}
	return h
}

func (g grid) draw(r *renderer) {
	g.drawRow(r, g.head, true)
	for _, row := range g.rows {
		if r.f.GetY()+g.rowHeight(r, row) > r.bottom() { // a table longer than a page
			r.f.AddPageFormat("P", r.page)
			g.drawRow(r, g.head, true)
		}
		g.drawRow(r, row, false)
	}
}

func (g grid) drawRow(r *renderer, cells []string, head bool) {
	f := r.f
	h := g.rowHeight(r, cells)
	x, y := pdfdoc.MarginLeft, f.GetY()
	lh := lineH(r.pt(g.size))
	for i, cell := range cells {
		w := g.widths[i] * r.width()
		style := "D"
		if head {
			f.SetFillColor(235, 235, 235)
			style = "FD"
		}
		f.Rect(x, y, w, h, style)
		align := "R"
		switch {
		case head:
			align = "C"
		case g.align != "":
			align = g.align
		case i == 0:
			align = "L"
		}
		lines := pdfdoc.Lines(f, printable(cell), w)
		f.SetXY(x, y+(h-float64(len(lines))*lh)/2)
		for _, l := range lines {
			f.CellFormat(w, lh, l, "", 2, align, false, 0, "")
			f.SetX(x)
		}
		x += w
	}
	f.SetXY(pdfdoc.MarginLeft, y+h)
}

// blocks lays out the whole notice.
func (r *renderer) blocks() []block {
	d := r.c.Result
	bs := []block{r.header()}
	for i, fig := range Figures(d, false) {
		bs = append(bs, r.matter(i, &d.Matters[i], fig))
	}
	return append(bs, r.closing())
}

func (r *renderer) header() block {
	d := r.c.Result
	cons := d.Consultation
	title := cons.Title
	if cons.Round > 1 {
		title += fmt.Sprintf("（第%d轮）", cons.Round)
	}
	b := block{
		para{size: 20, text: cons.Community + "业主大会", align: "C"},
		para{size: 18, text: "表决结果公告", bold: true, align: "C"},
		gap(2),
		para{size: 15, text: title, align: "C"},
		gap(3),
	}
	rows := [][]string{
		{"公告编号", postgres.FormatNoticeNumber(r.c.NoticeID)},
		{"小区", strings.TrimSpace(cons.Community + "　" + cons.Address)},
		{"表决期间", fmt.Sprintf("%s 至 %s", locale.MinuteZH(cons.OpensAt), locale.MinuteZH(cons.ClosesAt))},
		{"表决范围", locale.Scope(cons.Scope.Zone, cons.Scope.Building, cons.Scope.Entrance).ZH},
		{"分区否决", locale.Veto(string(cons.Veto.Mode), cons.Veto.Zones).ZH},
		{"计票时间", locale.MinuteZH(d.ClosedAt) + closedByText(d.ClosedBy)},
		{"议事规则", ProcedureText(r.c.Procedure)},
		{"计票规则", CountingText(r.c.Counting)},
	}
	if e := d.Extension; e != nil {
		rows = append(rows, []string{"延期", extensionText(e)})
	}
	if r.poster {
		rows = rows[:3]
	}
	return append(b, grid{size: bodyPt, widths: []float64{0.18, 0.82}, rows: rows, align: "L"}, gap(4))
}

// ProcedureText states the rules of procedure a vote was held under.
func ProcedureText(p *Procedure) string {
	if p == nil {
		return "未登记议事规则，按《民法典》第二百七十八条默认规则"
	}
	return fmt.Sprintf("本小区《业主大会议事规则》第%d版（原件 SHA-256：%x）", p.Version, p.SHA256)
}

// CountingText states how unreturned and spoiled ballots were counted.
func CountingText(p quorum.Procedure) string {
	var s string
	switch p.Nonresponse {
	case quorum.NonresponseDeliveredParticipate:
		s = "表决票有效送达而未表决的，视为参与表决"
	case quorum.NonresponseDeliveredFollowMajority:
		s = "表决票有效送达而未表决的，视为同意已表决的多数意见"
	default:
		s = "未交回表决票的业主不计入参与表决"
	}
	switch p.Spoiled {
	case quorum.SpoiledParticipating:
		return s + "；废票计入参与表决，不计入同意、反对或弃权"
	case quorum.SpoiledExcluded:
		return s + "；废票视为未交回表决票"
	}
	return s + "；废票按弃权计"
}

var ordinals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprint(i + 1)
}

func (r *renderer) matter(i int, m *tally.Matter, fig MatterFigures) block {
	b := block{para{size: 15, text: fmt.Sprintf("事项%s：%s", ordinal(i), m.Title), bold: true}, gap(1)}
	if !r.poster {
		b = append(b, para{size: bodyPt, text: locale.Kind(m.Kind, m.Options, m.Seats).ZH + " · " + locale.Category(m.Category).ZH},
			para{size: bodyPt, text: LegalBasis(m)}, gap(1.5))
	}
	if len(fig.Rows) == 0 {
		return append(b, gap(4))
	}
	var rows [][]string
	for _, row := range fig.Rows {
		rows = append(rows, []string{row.Label, row.Headcount, row.HeadcountPct, row.Area, row.AreaPct})
	}
	b = append(b, grid{size: bodyPt, widths: []float64{0.30, 0.14, 0.17, 0.22, 0.17},
		head: []string{"项目", "人数", "人数占比", "面积（㎡）", "面积占比"}, rows: rows}, gap(1))
	if !r.poster {
		b = append(b, para{size: 10.5, text: "注：同意、反对、弃权的占比以实际参与表决的人数与面积为基数；同一业主拥有多个专有部分的按一人计算，建设单位尚未出售和虽已出售但尚未交付的部分按一人计算。"}, gap(1))
	}
	b = append(b, para{size: 14, text: "表决结果：" + fig.Verdict, bold: true})
	for _, t := range []string{fig.NoVeto, fig.Why, fig.Deemed} {
		if t != "" {
			b = append(b, para{size: bodyPt, text: t})
		}
	}
	if !r.poster && fig.Sentence != "" {
		b = append(b, para{size: bodyPt, text: fig.Sentence})
	}
	if len(fig.Zones) > 0 {
		zrows := make([][]string, 0, len(fig.Zones))
		for _, z := range fig.Zones {
			zrows = append(zrows, []string{z.Zone, z.Eligible, z.Participating, z.Agree, z.Oppose, z.Abstain, z.Verdict})
		}
		b = append(b, gap(1.5), para{size: bodyPt, text: fig.ZoneCaption + "（每格上为人数，下为专有部分面积）"},
			grid{size: bodyPt, widths: []float64{0.13, 0.15, 0.15, 0.15, 0.15, 0.13, 0.14}, align: "C",
				head: []string{"区域", "应参与", "参与", fig.ZoneColumns[0], fig.ZoneColumns[1], fig.ZoneColumns[2], "区域结果"}, rows: zrows})
		if !r.poster && fig.WhatIf != "" {
			b = append(b, gap(1), para{size: 10.5, text: fig.WhatIf})
		}
	}
	return append(b, gap(5))
}

func (r *renderer) closing() block {
	c := r.c
	d := c.Result
	b := block{para{size: 14, text: "公示与异议", bold: true}, para{size: bodyPt, text: PeriodText(c)}}
	if e := d.Extension; e != nil && e.Lapsed && e.RetableFrom != nil && !r.poster {
		b = append(b, para{size: bodyPt, text: fmt.Sprintf("本次表决经延期后仍未达到参与表决比例，相关事项终止；自%s起方可再次提出，此前再次提出须经业主委员会三分之二以上委员同意。", locale.DayZH(*e.RetableFrom))})
	}
	return append(b, gap(3), checkBlock{}, gap(4), signatureBlocks{})
}

// PeriodText states the notice period, the objection period and when the
// result becomes final.
func PeriodText(c *Content) string {
	s := fmt.Sprintf("公示期：%d日，自%s起至%s止。", c.PeriodDays, locale.DayZH(c.From), locale.DayZH(c.PeriodEnd()))
	if c.ObjectionDays <= 0 {
		return s + "异议期：无；业主对本公告有异议的，可在公示期内向业主委员会书面提出。"
	}
	return s + fmt.Sprintf("异议期：%d日，自%s起至%s止，业主可在异议期内向业主委员会书面提出异议；异议期满后（%s起），本表决结果方为最终结果。",
		c.ObjectionDays, locale.DayZH(c.From), locale.DayZH(c.ObjectionEnd()), locale.DayZH(c.FinalAt()))
}

// checkBlock is the log checkpoint, the result hash and the QR code to the
// verification page.
type checkBlock struct{}

func (checkBlock) lines(r *renderer) []string {
	c := r.c
	cp := c.Result.Checkpoint
	lines := []string{fmt.Sprintf("选票日志最终检查点：共 %d 张已计票选票", cp.Size),
		"日志根哈希：" + base64.StdEncoding.EncodeToString(cp.Hash[:])}
	if cp.VerifierKey != "" && !r.poster {
		lines = append(lines, "日志验证公钥："+cp.VerifierKey)
	}
	return append(lines, "结果数据 SHA-256："+c.ResultSHA256,
		"扫描右侧二维码或访问以下网址，可核对本公告的每个数字、两方电子签名及本人选票回执：", c.VerifyURL)
}

func (b checkBlock) textSize(r *renderer) float64 { return r.pt(10) }

func (b checkBlock) qrSize(r *renderer) float64 { return 36 * r.scale }

func (b checkBlock) height(r *renderer) float64 {
	r.f.SetFontSize(b.textSize(r))
	n := 0
	for _, l := range b.lines(r) {
		n += len(pdfdoc.Lines(r.f, printable(l), r.width()-b.qrSize(r)-6))
	}
	return max(float64(n)*lineH(b.textSize(r)), b.qrSize(r))
}

func (b checkBlock) draw(r *renderer) {
	f := r.f
	top := f.GetY()
	h := b.height(r)
	textW := r.width() - b.qrSize(r) - 6
	f.SetFontSize(b.textSize(r))
	for _, l := range b.lines(r) {
		pdfdoc.Paragraph(f, textW, lineH(b.textSize(r)), printable(l), "L")
	}
	png, err := qrcode.Encode(r.c.VerifyURL, qrcode.Medium, 512)
	if err != nil {
		f.SetError(err)
		return
	}
	opt := gofpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("verify-qr", opt, bytes.NewReader(png))
	f.ImageOptions("verify-qr", pdfdoc.MarginLeft+textW+6, top, b.qrSize(r), b.qrSize(r), false, opt, 0, "")
	f.SetXY(pdfdoc.MarginLeft, top+h)
}

// signatureBlocks are the two bodies' signature blocks side by side, each
// with a box left for the physical seal.
type signatureBlocks struct{}

func (signatureBlocks) lines(sb SignatureBlock) []string {
	signer, at, fp := "（待审核）", "（待审核）", "（尚未设置签名密钥）"
	if sb.Signer != "" {
		signer, at = sb.Signer, locale.MinuteZH(sb.At)
	}
	lines := []string{"签署账号：" + signer, "审核时间：" + at, "证书指纹（SHA-256）："}
	if sb.CertSHA256 == "" {
		return append(lines, fp, "")
	}
	return append(lines, fingerprintLines(sb.CertSHA256)...)
}

func (s signatureBlocks) sealSize(r *renderer) float64 { return 38 * r.scale }

func (s signatureBlocks) height(r *renderer) float64 {
	return lineH(r.pt(bodyPt))*1.2 + 5*lineH(r.pt(10)) + s.sealSize(r) + 6*r.scale
}

func (s signatureBlocks) draw(r *renderer) {
	f := r.f
	top := f.GetY()
	colW := (r.width() - 6) / 2
	h := s.height(r)
	for i, sb := range r.c.Signatures {
		x := pdfdoc.MarginLeft + float64(i)*(colW+6)
		f.Rect(x, top, colW, h, "D")
		f.SetXY(x+2, top+1.5*r.scale)
		f.SetFontSize(r.pt(bodyPt))
		f.CellFormat(colW-4, lineH(r.pt(bodyPt))*1.2, printable(sb.Body)+"（电子签名）", "", 2, "L", false, 0, "")
		f.SetFontSize(r.pt(10))
		for _, l := range s.lines(sb) {
			f.SetX(x + 2)
			f.CellFormat(colW-4, lineH(r.pt(10)), l, "", 2, "L", false, 0, "")
		}
		seal := s.sealSize(r)
		sx, sy := x+(colW-seal)/2, f.GetY()+2*r.scale
		f.SetDrawColor(160, 160, 160)
		f.SetDashPattern([]float64{1.5, 1.5}, 0)
		f.Rect(sx, sy, seal, seal, "D")
		f.SetDashPattern(nil, 0)
		f.SetDrawColor(0, 0, 0)
		f.SetTextColor(150, 150, 150)
		f.SetXY(sx, sy+seal/2-3)
		f.CellFormat(seal, 6, "（盖章处）", "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	}
	f.SetXY(pdfdoc.MarginLeft, top+h)
}

// fingerprintLines writes a hex fingerprint in groups of four, eight
// groups a line.
func fingerprintLines(hexSum string) []string {
	var lines []string
	hexSum = strings.ToUpper(hexSum)
	for i := 0; i < len(hexSum); i += 32 {
		var groups []string
		for j := i; j < min(i+32, len(hexSum)); j += 4 {
			groups = append(groups, hexSum[j:min(j+4, len(hexSum))])
		}
		lines = append(lines, strings.Join(groups, " "))
	}
	return lines
}

func (r *renderer) footer() {
	f := r.f
	f.SetY(-12)
	f.SetFontSize(9)
	f.SetTextColor(110, 110, 110)
	f.CellFormat(0, 5, fmt.Sprintf("公告编号 %s · 第 %d 页", postgres.FormatNoticeNumber(r.c.NoticeID), f.PageNo()), "", 0, "C", false, 0, "")
	f.SetTextColor(0, 0, 0)
}

// watermarkPages writes 草稿 / DRAFT across every page of the preview.
func (r *renderer) watermarkPages() {
	f := r.f
	for p := 1; p <= f.PageCount(); p++ {
		f.SetPage(p)
		w, h := f.GetPageSize()
		f.SetAlpha(0.18, "Normal")
		f.SetTextColor(200, 0, 0)
		f.SetFontSize(w * 0.45)
		f.TransformBegin()
		f.TransformRotate(35, w/2, h/2)
		f.SetXY(0, h/2-40)
		f.CellFormat(w, 40, "草稿", "", 2, "C", false, 0, "")
		f.SetFontSize(w * 0.3)
		f.CellFormat(w, 30, "DRAFT", "", 0, "C", false, 0, "")
		f.TransformEnd()
		f.SetAlpha(1, "Normal")
		f.SetFontSize(10)
		f.SetXY(pdfdoc.MarginLeft, 5)
		f.CellFormat(w-pdfdoc.MarginLeft-pdfdoc.MarginRight, 6, "草稿 / DRAFT：供业主委员会、居民委员会审核，未经双方签署，不得张贴", "", 0, "C", false, 0, "")
		f.SetTextColor(0, 0, 0)
	}
}

// LegalBasis is the sentence stating the rule a matter was decided under
// and where it comes from.
func LegalBasis(m *tally.Matter) string {
	rule := m.Rule
	part := fmt.Sprintf("应由专有部分面积占比%s的业主且人数占比%s的业主参与表决",
		rule.Participation.Area.Words().ZH, rule.Participation.Headcount.Words().ZH)
	approve := fmt.Sprintf("经参与表决专有部分面积%s的业主且参与表决人数%s的业主同意",
		rule.Approval.Area.Words().ZH, rule.Approval.Headcount.Words().ZH)
	var law string
	switch {
	case rule == quorum.OrdinaryRule:
		law = "依据《中华人民共和国民法典》第二百七十八条第二款"
	case rule == quorum.MajorRule:
		law = "依据《中华人民共和国民法典》第二百七十八条第二款（改建、重建建筑物及其附属设施，筹集建筑物及其附属设施的维修资金，改变共有部分的用途或者利用共有部分从事经营活动等事项）"
	default:
		law = "依据《中华人民共和国民法典》第二百七十八条及本小区《业主大会议事规则》"
	}
	switch m.Kind {
	case tally.KindChoice:
		approve = "某一选项" + approve + "的，该选项当选"
	case tally.KindElection:
		approve = "候选人" + approve + "的，按同意人数（其次面积）依次当选"
	}
	return law + "，本事项" + part + "，并" + approve + "。"
}

func holdsVeto(v quorum.Veto, zone string) bool {
	return len(v.Zones) == 0 || slices.Contains(v.Zones, zone)
}

// WhatIf is the line telling what the verdict would have been under each
// other veto mode.
func WhatIf(mode quorum.VetoMode, w quorum.WhatIf) locale.Text {
	verdicts := map[quorum.VetoMode]bool{quorum.VetoNone: w.None, quorum.VetoAllZones: w.AllZones, quorum.VetoZoneRejection: w.ZoneRejection}
	return locale.WhatIf(string(mode), func(m string) bool { return verdicts[quorum.VetoMode(m)] })
}

func closedByText(by string) string {
	if by == "automatic" {
		return "（表决截止时自动计票）"
	}
	return "（业主委员会计票）"
}

func extensionText(e *tally.Extension) string {
	var parts []string
	for _, s := range e.Steps {
		parts = append(parts, fmt.Sprintf("%s 决定由 %s 延期至 %s", locale.DayZH(s.At), locale.MinuteZH(s.From), locale.MinuteZH(s.To)))
	}
	s := "截止时参与表决未过半数，经业主委员会决定延期：" + strings.Join(parts, "；")
	if e.Lapsed {
		s += "。延期后仍未达到参与表决比例，表决终止"
	}
	return s
}

// printable replaces characters the embedded font lacks.
func printable(s string) string {
	return strings.NewReplacer("✗", "✘", "☐", "□", "☑", "■").Replace(s)
}
