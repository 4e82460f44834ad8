package ballot

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"

	"gongjue/locale"
	"gongjue/pdfdoc"
	"gongjue/quorum"
	"gongjue/secret"
)

// Packet is what every page of a ballot packet shares.
type Packet struct {
	Estate       string
	Consultation *Consultation
	PublicURL    string // where the QR codes point, without a trailing slash
}

// PacketBallot is one unit's page of the packet.
type PacketBallot struct {
	UnitID string
	Place
	Zone      string
	Area      quorum.Area
	OwnerName string // as in the roll; the packet prints it masked
	Token     string
	Code      string
}

// Page geometry, millimetres.
const (
	pageW, pageH = 210.0, 297.0
	contentW     = pageW - pdfdoc.MarginLeft - pdfdoc.MarginRight
	qrSize       = 42.0
	footY        = pageH - pdfdoc.MarginBottom - 4
	bottomBlockH = 52.0 // deadline, signature, how to vote online
)

// WritePacket writes the ballot packet: one A4 page per ballot (more only
// when the matters do not fit on one), ordered building → entrance → floor →
// room whatever the order of ballots, so that a building leader can take a
// stack per stairwell. Each page carries the estate, the consultation, the
// unit and its masked owner, every matter with boxes to tick, the deadline,
// the QR code of the ballot's URL and its ballot code, a signature line and
// how to vote online. It returns the number of pages.
func WritePacket(w io.Writer, p Packet, ballots []PacketBallot, opts ...pdfdoc.Option) (int, error) {
	ballots = slices.Clone(ballots)
	slices.SortStableFunc(ballots, func(a, b PacketBallot) int { return ComparePlaces(a.Place, b.Place) })
	c := p.Consultation
	f := pdfdoc.New(append([]pdfdoc.Option{pdfdoc.Title(c.Title + " · 表决票")}, opts...)...)
	f.SetAutoPageBreak(false, pdfdoc.MarginBottom)
	// gofpdf compresses each page with a zlib compressor of its own, whose
	// setting up costs more than all the rest of a page; pages stay
	// uncompressed (a few kilobytes of text each) and the QR codes come as
	// compressed PNG images.
	f.SetCompression(false)
	f.SetCellMargin(0)
	pw := &packetWriter{f: f, p: p}
	// Encoding a QR code costs more than laying out the rest of the page,
	// so the codes are drawn ahead by all cores while pages are written in
	// order on this one.
	codes := drawQRCodes(p.PublicURL, ballots)
	defer codes.stop()
	for i := range ballots {
		qr, err := codes.get(i)
		if err != nil {
			return 0, err
		}
		pw.ballot(&ballots[i], i, qr)
		if f.Err() {
			return 0, f.Error()
		}
	}
	if len(ballots) == 0 {
		f.AddPage()
		f.SetFontSize(14)
		f.CellFormat(0, 10, "没有符合条件的选票 / no ballots match", "", 1, "L", false, 0, "")
	}
	pages := f.PageNo()
	if err := f.Output(w); err != nil {
		return 0, err
	}
	return pages, nil
}

type packetWriter struct {
	f *gofpdf.Fpdf
	p Packet
}

var chineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
	"十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
	"二十一", "二十二", "二十三", "二十四", "二十五", "二十六", "二十七", "二十八", "二十九", "三十"}

func numeral(i int) string {
	if i < len(chineseNumerals) {
		return chineseNumerals[i]
	}
	return strconv.Itoa(i + 1)
}

func (pw *packetWriter) ballot(b *PacketBallot, i int, qr []byte) {
	f, c := pw.f, pw.p.Consultation
	url := BallotURL(pw.p.PublicURL, b.Token)
	f.AddPage()
	left := pdfdoc.MarginLeft
	top := pdfdoc.MarginTop
	textW := contentW - qrSize - 6

	// Heading: estate, consultation, the unit.
	f.SetTextColor(90, 90, 90)
	f.SetFont(pdfdoc.Family, "", 9)
	head := pw.p.Estate + " · 业主大会表决票"
	if c.Round > 1 {
		head += fmt.Sprintf(" · 第%d轮", c.Round)
	}
	f.SetXY(left, top)
	f.CellFormat(textW, 5, head, "", 2, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetFont(pdfdoc.Family, "", 16)
	f.SetX(left)
	pdfdoc.Paragraph(f, textW, 7.5, c.Title, "L")
	f.Ln(2)
	f.SetFont(pdfdoc.Family, "", 12)
	f.SetX(left)
	f.CellFormat(textW, 7, fmt.Sprintf("房屋：%s幢 %s单元 %s室（%s）", b.Building, b.Entrance, b.Room, b.UnitID), "", 2, "L", false, 0, "")
	f.SetX(left)
	f.CellFormat(textW, 7, fmt.Sprintf("区域：%s    建筑面积：%s m²", b.Zone, b.Area), "", 2, "L", false, 0, "")
	f.SetX(left)
	owner := secret.MaskName(b.OwnerName)
	if owner == "" {
		owner = "—"
	}
	f.CellFormat(textW, 7, "业主："+owner, "", 2, "L", false, 0, "")
	f.SetX(left)
	f.SetFont(pdfdoc.Family, "", 10)
	f.CellFormat(textW, 6, "表决范围："+c.Scope.Describe(false)+"    投票截止："+locale.Minute(c.ClosesAt), "", 2, "L", false, 0, "")

	// The QR code, top right, with the ballot code under it.
	qx := pageW - pdfdoc.MarginRight - qrSize
	name := "qr" + strconv.Itoa(i)
	f.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	f.ImageOptions(name, qx, top, qrSize, qrSize, false, gofpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	f.SetFont(pdfdoc.Family, "", 8)
	f.SetXY(qx, top+qrSize+0.5)
	f.CellFormat(qrSize, 4, "扫码在线投票", "", 2, "C", false, 0, "")
	f.SetFont(pdfdoc.Family, "", 12)
	f.SetX(qx)
	f.CellFormat(qrSize, 6, "选票码 "+FormatCode(b.Code), "", 2, "C", false, 0, "")

	y := max(f.GetY(), top+qrSize+11) + 2
	f.SetLineWidth(0.3)
	f.Line(left, y, pageW-pdfdoc.MarginRight, y)
	f.SetXY(left, y+2)
	f.SetFont(pdfdoc.Family, "", 9.5)
	pdfdoc.Paragraph(f, contentW, 5, "填写说明：请在所选项前的方框内打“✓”。同意/反对/弃权事项及选择事项每项只选一项；选举事项按注明的人数以内选择。未按要求填写的，该事项计为废票（"+spoiledNote[c.Procedure.Settings.Spoiled]+"）。", "L")
	f.SetX(left)
	pdfdoc.Paragraph(f, contentW, 5, c.Procedure.Sentence(false)+"。", "L")
	f.Ln(1)

	limit := footY - bottomBlockH
	for i := range c.Matters {
		pw.matter(i, &c.Matters[i], b, limit)
	}
	pw.bottom(b, url)
}

// continuation starts a further page for a ballot whose matters do not fit.
func (pw *packetWriter) continuation(b *PacketBallot) {
	f := pw.f
	f.AddPage()
	f.SetFont(pdfdoc.Family, "", 10)
	f.SetTextColor(90, 90, 90)
	f.SetXY(pdfdoc.MarginLeft, pdfdoc.MarginTop)
	f.CellFormat(contentW, 6, fmt.Sprintf("%s · 房屋 %s · 选票码 %s（续页）", pw.p.Consultation.Title, b.UnitID, FormatCode(b.Code)), "B", 1, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.Ln(3)
}

// matter prints one matter: its title, a short description, the rule, and
// the boxes.
func (pw *packetWriter) matter(i int, m *Matter, b *PacketBallot, limit float64) {
	f := pw.f
	left := pdfdoc.MarginLeft
	f.SetFont(pdfdoc.Family, "", 12)
	titleLines := pdfdoc.Lines(f, numeral(i)+"、"+m.Title, contentW)
	f.SetFont(pdfdoc.Family, "", 9)
	var desc []string
	if m.Description != "" {
		desc = pdfdoc.Lines(f, strings.ReplaceAll(m.Description, "\r", ""), contentW)
		if len(desc) > 3 {
			desc = append(desc[:3:3], "……（全文见公告及在线投票页面）")
		}
	}
	labels := pw.choiceLabels(m)
	rows := pw.layoutBoxes(labels)
	noVeto := ElectionNoVeto(pw.p.Consultation.Veto, string(m.Kind))
	need := float64(len(titleLines))*6.5 + float64(len(desc))*4.5 + 5 + float64(rows)*8 + 3
	if noVeto != nil {
		need += 5
	}
	if f.GetY()+need > limit {
		pw.continuation(b)
	}
	f.SetFont(pdfdoc.Family, "", 12)
	for _, l := range titleLines {
		f.SetX(left)
		f.CellFormat(contentW, 6.5, l, "", 2, "L", false, 0, "")
	}
	f.SetFont(pdfdoc.Family, "", 9)
	f.SetTextColor(70, 70, 70)
	for _, l := range desc {
		f.SetX(left)
		f.CellFormat(contentW, 4.5, l, "", 2, "L", false, 0, "")
	}
	f.SetX(left)
	f.CellFormat(contentW, 5, ruleLine(pw.p.Consultation, m), "", 2, "L", false, 0, "")
	if noVeto != nil {
		f.SetX(left)
		f.CellFormat(contentW, 5, noVeto.ZH, "", 2, "L", false, 0, "")
	}
	f.SetTextColor(0, 0, 0)
	pw.boxes(labels)
	f.Ln(3)
}

// spoiledNote says on the packet how the frozen rules count a spoiled
// ballot (§3.5).
var spoiledNote = map[quorum.SpoiledPolicy]string{
	quorum.SpoiledAbstain:       "按弃权计",
	quorum.SpoiledParticipating: "计入参与表决，不计入任何选项",
	quorum.SpoiledExcluded:      "视为未交回表决票",
}

func ruleLine(c *Consultation, m *Matter) string {
	var s string
	if m.Category == quorum.Major {
		s = "重大事项"
	} else {
		s = "一般事项"
	}
	if r, err := c.RuleOf(m); err == nil {
		s += fmt.Sprintf("：参与表决须达专有面积 %s、人数 %s；同意须达参与表决面积 %s、人数 %s",
			r.Participation.Area.Words().ZH, r.Participation.Headcount.Words().ZH, r.Approval.Area.Words().ZH, r.Approval.Headcount.Words().ZH)
	}
	switch m.Kind {
	case Choice:
		s += "。单选"
	case Election:
		s += fmt.Sprintf("。应选 %d 人，最多选 %d 人", m.Seats, m.Seats)
	}
	return s
}

func (pw *packetWriter) choiceLabels(m *Matter) []string {
	var labels []string
	for _, code := range m.Offered() {
		labels = append(labels, locale.Choice(code).ZH)
	}
	return labels
}

const (
	boxSize = 5.0
	boxGap  = 2.0  // between box and label
	boxSkip = 10.0 // between one label and the next box
)

// layoutBoxes counts the rows the boxes take.
func (pw *packetWriter) layoutBoxes(labels []string) int {
	pw.f.SetFont(pdfdoc.Family, "", 12)
	rows, x := 1, 0.0
	for _, l := range labels {
		w := boxSize + boxGap + pw.f.GetStringWidth(l) + boxSkip
		if x > 0 && x+w > contentW {
			rows++
			x = 0
		}
		x += w
	}
	return rows
}

func (pw *packetWriter) boxes(labels []string) {
	f := pw.f
	f.SetFont(pdfdoc.Family, "", 12)
	f.SetLineWidth(0.35)
	left := pdfdoc.MarginLeft + 4
	x, y := left, f.GetY()+1
	for _, l := range labels {
		lw := f.GetStringWidth(l)
		w := boxSize + boxGap + lw + boxSkip
		if x > left && x+w > pdfdoc.MarginLeft+contentW {
			x = left
			y += 8
		}
		f.Rect(x, y+0.5, boxSize, boxSize, "D")
		f.SetXY(x+boxSize+boxGap, y)
		f.CellFormat(lw+1, 6, l, "", 0, "L", false, 0, "")
		x += w
	}
	f.SetXY(pdfdoc.MarginLeft, y+8)
}

// bottom prints the deadline, the signature lines and how to vote online at
// the foot of the ballot's last page.
func (pw *packetWriter) bottom(b *PacketBallot, url string) {
	f := pw.f
	c := pw.p.Consultation
	left := pdfdoc.MarginLeft
	y := footY - bottomBlockH
	if f.GetY() > y {
		y = f.GetY()
	}
	f.SetLineWidth(0.3)
	f.Line(left, y, pageW-pdfdoc.MarginRight, y)
	f.SetXY(left, y+2)
	f.SetFont(pdfdoc.Family, "", 11)
	f.CellFormat(contentW, 6.5, fmt.Sprintf("投票截止时间：%s（北京时间）。纸质票请在截止前交回楼组长或业主委员会。", locale.Minute(c.ClosesAt)), "", 2, "L", false, 0, "")
	f.Ln(3)
	f.SetX(left)
	f.CellFormat(contentW, 8, "业主签名：____________________    日期：______年____月____日", "", 2, "L", false, 0, "")
	f.SetX(left)
	f.CellFormat(contentW, 8, "委托代理人（如有）：______________    委托书：______________________", "", 2, "L", false, 0, "")
	f.Ln(2)
	f.SetFont(pdfdoc.Family, "", 9.5)
	f.SetX(left)
	pdfdoc.Paragraph(f, contentW, 5, "在线投票：用手机扫描右上角二维码，或在浏览器中打开 "+url+
		" ，确认后即得回执码。同一房屋只计最先计入的一张选票；已在线投票的，无需再交纸质票。", "L")
	f.SetFont(pdfdoc.Family, "", 8)
	f.SetTextColor(110, 110, 110)
	f.SetXY(left, footY)
	f.CellFormat(contentW, 4, fmt.Sprintf("共决 Gongjue · %s · 选票码 %s", b.UnitID, FormatCode(b.Code)), "", 0, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
}

// qrCodes draws the packet's QR codes ahead of the pages, in parallel,
// at most a bounded number ahead of the page being written.
type qrCodes struct {
	results []chan qrResult
	window  chan struct{}
	done    chan struct{}
}

type qrResult struct {
	png []byte
	err error
}

func drawQRCodes(publicURL string, ballots []PacketBallot) *qrCodes {
	workers := runtime.GOMAXPROCS(0)
	q := &qrCodes{
		results: make([]chan qrResult, len(ballots)),
		window:  make(chan struct{}, 16*workers),
		done:    make(chan struct{}),
	}
	for i := range q.results {
		q.results[i] = make(chan qrResult, 1)
	}
	jobs := make(chan int)
	go func() {
		defer close(jobs)
		for i := range ballots {
			select {
			case q.window <- struct{}{}:
			case <-q.done:
				return
			}
			jobs <- i
		}
	}()
	for range workers {
		go func() {
			enc := newPNGEncoder()
			for i := range jobs {
				var r qrResult
				r.png, r.err = qrPNG(enc, BallotURL(publicURL, ballots[i].Token))
				q.results[i] <- r
			}
		}()
	}
	return q
}

func (q *qrCodes) get(i int) ([]byte, error) {
	r := <-q.results[i]
	<-q.window
	return r.png, r.err
}

func (q *qrCodes) stop() { close(q.done) }

// qrModulePixels is the size of a QR module in the image: enough that a
// viewer scaling the image up without interpolation still draws sharp
// modules.
const qrModulePixels = 4

// qrPNG encodes the QR code of content as a two-colour PNG without a quiet
// zone (the page around it is blank). PNG data goes into the PDF as it is,
// already compressed, and the encoder reuses its compressor from one code
// to the next: the ballot packet thus compresses nothing per page, which is
// what makes thousands of pages fast.
func qrPNG(enc *pngEncoder, content string) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = true
	return enc.encode(q.Bitmap(), qrModulePixels), nil
}

// pngEncoder writes bitmaps as 1-bit greyscale PNG (black on white) with a
// zlib compressor it keeps: image/png would look at every pixel through an
// interface and set up a compressor per image.
type pngEncoder struct {
	raw  []byte
	z    bytes.Buffer
	zw   *zlib.Writer
	out  bytes.Buffer
	crc  hash.Hash32
	head [8]byte
}

func newPNGEncoder() *pngEncoder {
	e := &pngEncoder{crc: crc32.NewIEEE()}
	e.zw, _ = zlib.NewWriterLevel(&e.z, zlib.BestSpeed)
	return e
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// encode draws each module as a scale×scale square, dark modules black.
func (e *pngEncoder) encode(bm [][]bool, scale int) []byte {
	n := len(bm) * scale
	stride := (n + 7) / 8
	e.raw = e.raw[:0]
	line := make([]byte, stride)
	for _, row := range bm {
		clear(line)
		for c, dark := range row {
			if dark {
				continue // grey 0 is black; white modules set their bits
			}
			for p := c * scale; p < (c+1)*scale; p++ {
				line[p/8] |= 0x80 >> (p % 8)
			}
		}
		// Bits past the last pixel are padding; the dark bits are 0 already.
		for range scale {
			e.raw = append(e.raw, 0) // filter: none
			e.raw = append(e.raw, line...)
		}
	}
	e.z.Reset()
	e.zw.Reset(&e.z)
	e.zw.Write(e.raw)
	e.zw.Close()

	e.out.Reset()
	e.out.Write(pngSignature)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(n))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(n))
	ihdr[8], ihdr[9] = 1, 0 // bit depth 1, greyscale; compression, filter, interlace 0
	e.chunk("IHDR", ihdr[:])
	e.chunk("IDAT", e.z.Bytes())
	e.chunk("IEND", nil)
	return bytes.Clone(e.out.Bytes())
}

func (e *pngEncoder) chunk(kind string, data []byte) {
	binary.BigEndian.PutUint32(e.head[:4], uint32(len(data)))
	copy(e.head[4:], kind)
	e.out.Write(e.head[:])
	e.out.Write(data)
	e.crc.Reset()
	e.crc.Write(e.head[4:])
	e.crc.Write(data)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], e.crc.Sum32())
	e.out.Write(sum[:])
}
