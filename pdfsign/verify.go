package pdfsign

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
)

// maxSignatures bounds the signatures Verify checks, each of which hashes up
// to the whole file.
const maxSignatures = 16

// A Signature is what Verify found out about one signature field.
type Signature struct {
	Field    string // form field name, e.g. "Signature1"
	Name     string // /Name of the signature dictionary
	Reason   string
	Location string

	// Signer is the certificate that made the signature, or nil if the
	// signature could not be read. It is not checked against any trust
	// store: compare it with the certificates the platform publishes.
	Signer *x509.Certificate
	// SignedAt is the CMS signing-time attribute, else the /M date.
	SignedAt time.Time
	// SignedBytes is the length of the revision the signature covers:
	// bytes from 0 up to here, except the signature itself, are signed.
	SignedBytes int
	// WholeFile reports whether the signature covers the whole file, as
	// the last signature of an unaltered file does.
	WholeFile bool
	// Valid reports whether the signed bytes are intact and the signature
	// over them verifies with Signer's key. Problem says why not.
	Valid   bool
	Problem string
}

// Verify checks every signed signature field of pdf, in the order of the
// form's fields, which for files signed by Sign is signing order. An error
// means the file could not be read; a bad signature is reported in its
// Signature. A file without signatures gives none.
//
// A caller deciding whether a notice is authentic should require the
// expected number of signatures, all Valid, made by the expected
// certificates, and the last one WholeFile.
func Verify(pdf []byte) ([]Signature, error) {
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, err
	}
	catalog, err := doc.catalog()
	if err != nil {
		return nil, err
	}
	_, fields, err := doc.formFields(catalog)
	if err != nil {
		return nil, err
	}
	var sigs []Signature
	seen := make(map[ref]bool)
	for _, f := range fields {
		r, ok := parseRef([]byte(f))
		if !ok {
			return nil, notPDF("form field %q is not a reference", f)
		}
		if seen[r] {
			return nil, notPDF("form field %v is listed twice", r)
		}
		seen[r] = true
		v, err := doc.object(r)
		if err != nil {
			return nil, err
		}
		field, err := doc.dictValue(v)
		if err != nil {
			return nil, err
		}
		_, value, signed := field.get("V")
		if field.name("FT") != "Sig" || !signed {
			continue
		}
		if len(sigs) == maxSignatures {
			return nil, unsupported("more than %d signatures", maxSignatures)
		}
		if r, ok := parseRef(doc.b[value.start:value.end]); ok {
			if seen[r] {
				return nil, notPDF("signature %v is used twice", r)
			}
			seen[r] = true
		}
		sd, err := doc.dictValue(value)
		if err != nil {
			return nil, err
		}
		tRaw, _, _ := field.get("T")
		sigs = append(sigs, doc.verifySignature(parseText(tRaw), sd))
	}
	return sigs, nil
}

// verifySignature checks the signature dictionary sd of the named field.
func (d *document) verifySignature(field string, sd dict) Signature {
	text := func(key string) string {
		raw, _, _ := sd.get(key)
		return parseText(raw)
	}
	s := Signature{Field: field, Name: text("Name"), Reason: text("Reason"), Location: text("Location")}
	s.SignedAt, _ = parsePDFDate(text("M"))

	br, err := d.byteRange(sd)
	if err != nil {
		s.Problem = err.Error()
		return s
	}
	s.SignedBytes = br[2] + br[3]
	s.WholeFile = s.SignedBytes == len(d.b)
	if sub := sd.name("SubFilter"); sub != "adbe.pkcs7.detached" && sub != "ETSI.CAdES.detached" {
		s.Problem = fmt.Sprintf("unsupported /SubFilter %q", sub)
		return s
	}

	raw, _, _ := sd.get("Contents")
	der, ok := parseHex(raw)
	if !ok {
		s.Problem = "/Contents is not a hex string"
		return s
	}
	// Drop the zero padding after the DER signature.
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err == nil {
		der = outer.FullBytes
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		s.Problem = "unreadable CMS signature: " + err.Error()
		return s
	}
	s.Signer = p7.GetOnlySigner()
	var at time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &at); err == nil {
		s.SignedAt = at
	}
	if s.Signer == nil {
		s.Problem = fmt.Sprintf("CMS signature has %d signers, not one", len(p7.Signers))
		return s
	}
	p7.Content = append(append(make([]byte, 0, br[1]+br[3]), d.b[:br[1]]...), d.b[br[2]:br[2]+br[3]]...)
	if err := p7.Verify(); err != nil {
		s.Problem = err.Error()
		return s
	}
	s.Valid = true
	return s
}

// byteRange returns the signature's /ByteRange after checking that it
// starts the file, lies within it, and leaves out exactly the /Contents
// string, so that everything else up to its end is signed.
func (d *document) byteRange(sd dict) ([4]int, error) {
	var br [4]int
	_, v, _ := sd.get("ByteRange")
	elems, err := parseArray(d.b, v)
	if err != nil || len(elems) != 4 {
		return br, fmt.Errorf("/ByteRange is not an array of four integers")
	}
	for i, e := range elems {
		n, ok := parseInt(d.b[e.start:e.end])
		if !ok {
			return br, fmt.Errorf("/ByteRange is not an array of four integers")
		}
		br[i] = n
	}
	_, contents, _ := sd.get("Contents")
	if br[0] != 0 || br[1] != contents.start || br[2] != contents.end || br[3] > len(d.b)-br[2] {
		return br, fmt.Errorf("/ByteRange %v does not surround /Contents within the file", br)
	}
	return br, nil
}

// parsePDFDate parses a PDF date such as D:20250301093000+08'00'.
func parsePDFDate(s string) (time.Time, error) {
	for _, layout := range []string{"D:20060102150405-07'00'", "D:20060102150405-07'00", "D:20060102150405Z", "D:20060102150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad PDF date %q", s)
}
