package pdfsign

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
)

// Info describes a signature to viewers; every field is optional.
type Info struct {
	Name     string // the signer, e.g. "阳光花园业主委员会"; default: the certificate's common name
	Reason   string // e.g. "业主委员会审核通过"
	Location string // e.g. the estate's address
}

// contentsCap is how many bytes of CMS the /Contents placeholder holds: far
// more than a signature with one RSA-2048 or P-256 certificate needs
// (about 1.5 KiB), leaving room for a certificate chain.
const contentsCap = 8192

// byteRangeWidth is the width of the /ByteRange array's contents, enough for
// four offsets of ten digits.
const byteRangeWidth = 44

// Sign appends to pdf an incremental update holding an invisible signature
// field on page 1 whose value is a PDF signature by id over the whole
// resulting file except the signature itself, and returns the signed file.
// pdf must be a file written by gofpdf or by Sign; an earlier signature stays
// valid, and the new one is added to the form's fields and the page's
// annotations beside it.
func Sign(pdf []byte, id Identity, info Info) ([]byte, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, err
	}
	catalog, err := doc.catalog()
	if err != nil {
		return nil, err
	}
	pageRef, page, err := doc.firstPage(catalog)
	if err != nil {
		return nil, err
	}
	acroForm, fields, err := doc.formFields(catalog)
	if err != nil {
		return nil, err
	}
	annots, err := doc.annotations(page)
	if err != nil {
		return nil, err
	}
	if info.Name == "" {
		info.Name = id.Certificate.Subject.CommonName
	}

	sigRef := ref{doc.size, 0}
	fieldRef := ref{doc.size + 1, 0}
	fields = append(fields, fieldRef.String())
	annots = append(annots, fieldRef.String())
	buf := make([]byte, 0, len(pdf)+2*contentsCap+4096)
	u := update{doc: doc, out: bytes.NewBuffer(append(buf, pdf...))}
	if !bytes.HasSuffix(pdf, []byte("\n")) && !bytes.HasSuffix(pdf, []byte("\r")) {
		u.out.WriteByte('\n')
	}
	u.object(pageRef, page.rewrite(entry{"Annots", "[" + strings.Join(annots, " ") + "]"}))
	u.object(doc.root, catalog.rewrite(entry{"AcroForm", string(acroForm.rewrite(
		entry{"Fields", "[" + strings.Join(fields, " ") + "]"},
		entry{"SigFlags", "3"},
	))}))
	sigOffset := u.object(sigRef, sigDict(info, time.Now()))
	u.object(fieldRef, fmt.Appendf(nil,
		"<</Type /Annot /Subtype /Widget /FT /Sig /T %s /V %v /F 132 /Rect [0 0 0 0] /P %v>>",
		textString("Signature"+strconv.Itoa(len(fields))), sigRef, pageRef))
	out := u.finish(doc.size + 2)

	if err := fillSignature(out, sigOffset, id); err != nil {
		return nil, err
	}
	return out, nil
}

// sigDict returns the signature dictionary with placeholders for /ByteRange
// and /Contents, which fillSignature fills in.
func sigDict(info Info, now time.Time) []byte {
	b := fmt.Appendf(nil, "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached\n"+
		"/ByteRange [%s]\n/Contents <%s>\n/M %s /Name %s",
		strings.Repeat(" ", byteRangeWidth), strings.Repeat("0", 2*contentsCap),
		textString(pdfDate(now)), textString(info.Name))
	if info.Reason != "" {
		b = fmt.Appendf(b, " /Reason %s", textString(info.Reason))
	}
	if info.Location != "" {
		b = fmt.Appendf(b, " /Location %s", textString(info.Location))
	}
	return append(b, ">>"...)
}

// fillSignature locates the placeholders written by sigDict in the object
// at offset sig of out, fills in the byte range around /Contents, and writes
// the CMS signature by id over that range into /Contents.
func fillSignature(out []byte, sig int, id Identity) error {
	br := bytes.Index(out[sig:], []byte("/ByteRange ["))
	ct := bytes.Index(out[sig:], []byte("/Contents <"))
	if br < 0 || ct < br {
		return fmt.Errorf("pdfsign: signature placeholders not found")
	}
	br += sig + len("/ByteRange [")
	gapStart := sig + ct + len("/Contents ")
	gapEnd := gapStart + 2*contentsCap + 2
	ranges := fmt.Sprintf("0 %d %d %d", gapStart, gapEnd, len(out)-gapEnd)
	copy(out[br:br+byteRangeWidth], fmt.Sprintf("%-*s", byteRangeWidth, ranges))

	signed := make([]byte, 0, len(out)-(gapEnd-gapStart))
	signed = append(append(signed, out[:gapStart]...), out[gapEnd:]...)
	cms, err := signCMS(signed, id)
	if err != nil {
		return err
	}
	if len(cms) > contentsCap {
		return fmt.Errorf("pdfsign: signature of %d bytes exceeds the %d reserved", len(cms), contentsCap)
	}
	hex.Encode(out[gapStart+1:], cms)
	return nil
}

// signCMS returns a detached CMS SignedData over content by id, with SHA-256
// and a signing-time attribute.
func signCMS(content []byte, id Identity) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(id.Certificate, id.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	sd.Detach()
	cms, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("pdfsign: %w", err)
	}
	return cms, nil
}

// formFields returns the catalog's interactive form (empty if there is
// none) and the references of its fields.
func (d *document) formFields(catalog dict) (dict, []string, error) {
	_, v, ok := catalog.get("AcroForm")
	if !ok {
		return dict{}, nil, nil
	}
	form, err := d.dictValue(v)
	if err != nil {
		return dict{}, nil, err
	}
	fields, err := d.refList(form, "Fields")
	return form, fields, err
}

// annotations returns the page's annotations, each as the raw text of a
// reference or a direct dictionary.
func (d *document) annotations(page dict) ([]string, error) {
	return d.refList(page, "Annots")
}

// refList returns the elements of the array under key in t, resolving the
// array if it is an indirect object; no key gives no elements.
func (d *document) refList(t dict, key string) ([]string, error) {
	_, v, ok := t.get(key)
	if !ok {
		return nil, nil
	}
	elems, err := d.arrayValue(v)
	if err != nil {
		return nil, err
	}
	list := make([]string, len(elems))
	for i, e := range elems {
		list[i] = string(d.b[e.start:e.end])
	}
	return list, nil
}

// An update writes an incremental update after the original file.
type update struct {
	doc     *document
	out     *bytes.Buffer
	offsets map[int]int
	gens    map[int]int
}

// object writes object r with value v and returns its offset.
func (u *update) object(r ref, v []byte) int {
	if u.offsets == nil {
		u.offsets, u.gens = make(map[int]int), make(map[int]int)
	}
	off := u.out.Len()
	u.offsets[r.num], u.gens[r.num] = off, r.gen
	fmt.Fprintf(u.out, "%d %d obj\n%s\nendobj\n", r.num, r.gen, v)
	return off
}

// finish writes the cross-reference section of the objects written, with
// one subsection per run of consecutive numbers, and the trailer, and
// returns the whole file.
func (u *update) finish(size int) []byte {
	xref := u.out.Len()
	u.out.WriteString("xref\n")
	nums := make([]int, 0, len(u.offsets))
	for n := range u.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	for i := 0; i < len(nums); {
		j := i + 1
		for j < len(nums) && nums[j] == nums[j-1]+1 {
			j++
		}
		fmt.Fprintf(u.out, "%d %d\n", nums[i], j-i)
		for _, n := range nums[i:j] {
			fmt.Fprintf(u.out, "%010d %05d n \n", u.offsets[n], u.gens[n])
		}
		i = j
	}
	trailer := []entry{{"Size", strconv.Itoa(size)}, {"Root", u.doc.root.String()}}
	for _, k := range []string{"Info", "ID"} {
		if raw, _, ok := u.doc.trailer.get(k); ok {
			trailer = append(trailer, entry{k, string(raw)})
		}
	}
	trailer = append(trailer, entry{"Prev", strconv.Itoa(u.doc.startxref)})
	fmt.Fprintf(u.out, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", dict{}.rewrite(trailer...), xref)
	return u.out.Bytes()
}

// pdfDate formats t as a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off/60%60)
}
