package pdfsign

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrNotPDF is returned for input that is not a well-formed PDF file.
var ErrNotPDF = errors.New("pdfsign: not a well-formed PDF file")

// ErrUnsupported is returned for PDF files that use features this package
// does not read, such as cross-reference streams or encryption.
var ErrUnsupported = errors.New("pdfsign: unsupported PDF")

func notPDF(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotPDF, fmt.Sprintf(format, args...))
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// An xrefEntry is where an object in use lies, by its generation.
type xrefEntry struct{ offset, gen int }

// A document is a PDF file read through its cross-reference tables.
type document struct {
	b         []byte
	xref      map[int]xrefEntry // objects in use, newest revision first wins
	trailer   dict              // the newest trailer
	startxref int               // offset of the newest cross-reference section
	size      int               // trailer /Size
	root      ref               // trailer /Root
}

// readDocument reads the cross-reference sections of b, newest first along
// the /Prev chain, and its newest trailer.
func readDocument(b []byte) (*document, error) {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return nil, notPDF("no %%PDF- header")
	}
	start, err := findStartxref(b)
	if err != nil {
		return nil, err
	}
	d := &document{b: b, xref: make(map[int]xrefEntry), startxref: start}
	seen := make(map[int]bool)
	for off, first := start, true; ; first = false {
		if seen[off] {
			return nil, notPDF("cross-reference sections form a loop at offset %d", off)
		}
		seen[off] = true
		trailer, err := d.readXref(off)
		if err != nil {
			return nil, err
		}
		if _, _, ok := trailer.get("Encrypt"); ok {
			return nil, unsupported("encrypted file")
		}
		if _, _, ok := trailer.get("XRefStm"); ok {
			return nil, unsupported("hybrid file with a cross-reference stream")
		}
		if first {
			d.trailer = trailer
		}
		raw, _, ok := trailer.get("Prev")
		if !ok {
			break
		}
		if off, ok = parseInt(raw); !ok {
			return nil, notPDF("bad /Prev %q", raw)
		}
	}
	raw, _, _ := d.trailer.get("Size")
	if d.size, _ = parseInt(raw); d.size <= 0 {
		return nil, notPDF("trailer has no valid /Size")
	}
	raw, _, _ = d.trailer.get("Root")
	var ok bool
	if d.root, ok = parseRef(raw); !ok {
		return nil, notPDF("trailer has no /Root reference")
	}
	return d, nil
}

// findStartxref returns the offset given after the last "startxref" keyword,
// which must be followed by the %%EOF marker.
func findStartxref(b []byte) (int, error) {
	tail := max(0, len(b)-1024)
	i := bytes.LastIndex(b[tail:], []byte("startxref"))
	if i < 0 {
		return 0, notPDF("no startxref near the end of the file")
	}
	l := lexer{b: b, pos: tail + i + len("startxref")}
	off, ok := l.integer()
	l.skipWhite()
	if !ok || !bytes.HasPrefix(b[l.pos:], []byte("%%EOF")) {
		return 0, notPDF("malformed startxref")
	}
	if off <= 0 || off >= len(b) {
		return 0, notPDF("startxref %d out of range", off)
	}
	return off, nil
}

// readXref reads the classic cross-reference section at off into d.xref,
// keeping entries already known from newer sections, and returns its
// trailer.
func (d *document) readXref(off int) (dict, error) {
	if off <= 0 || off >= len(d.b) {
		return dict{}, notPDF("cross-reference offset %d out of range", off)
	}
	l := lexer{b: d.b, pos: off}
	if !l.keyword("xref") {
		if _, ok := l.integer(); ok {
			return dict{}, unsupported("cross-reference stream at offset %d (only classic xref tables are read)", off)
		}
		return dict{}, notPDF("no cross-reference table at offset %d", off)
	}
	for !l.keyword("trailer") {
		first, ok1 := l.integer()
		count, ok2 := l.integer()
		// Each entry takes 20 bytes, which bounds a plausible count.
		if !ok1 || !ok2 || count > (len(d.b)-l.pos)/18 {
			return dict{}, notPDF("malformed cross-reference subsection at offset %d", l.pos)
		}
		for num := first; num < first+count; num++ {
			offset, ok1 := l.integer()
			gen, ok2 := l.integer()
			inUse := l.keyword("n")
			if !ok1 || !ok2 || (!inUse && !l.keyword("f")) {
				return dict{}, notPDF("malformed cross-reference entry at offset %d", l.pos)
			}
			if _, known := d.xref[num]; known {
				continue
			}
			if !inUse {
				// A free entry hides any older entry of the same number.
				d.xref[num] = xrefEntry{offset: -1}
				continue
			}
			d.xref[num] = xrefEntry{offset: offset, gen: gen}
		}
	}
	v, err := l.value()
	if err != nil {
		return dict{}, notPDF("trailer: %v", err)
	}
	t, err := parseDict(d.b, v)
	if err != nil {
		return dict{}, notPDF("trailer: %v", err)
	}
	return t, nil
}

// object returns where the value of object r lies.
func (d *document) object(r ref) (span, error) {
	e, ok := d.xref[r.num]
	if !ok || e.offset < 0 || e.gen != r.gen {
		return span{}, notPDF("object %v is not in the cross-reference table", r)
	}
	if e.offset == 0 || e.offset >= len(d.b) {
		return span{}, notPDF("object %v has offset %d out of range", r, e.offset)
	}
	l := lexer{b: d.b, pos: e.offset}
	num, ok1 := l.integer()
	gen, ok2 := l.integer()
	if !ok1 || !ok2 || num != r.num || gen != r.gen || !l.keyword("obj") {
		return span{}, notPDF("object %v not found at offset %d", r, e.offset)
	}
	v, err := l.value()
	if err != nil {
		return span{}, notPDF("object %v: %v", r, err)
	}
	return v, nil
}

// resolve returns v itself or, if v is a reference, the object it refers to.
func (d *document) resolve(v span) (span, error) {
	if r, ok := parseRef(d.b[v.start:v.end]); ok {
		return d.object(r)
	}
	return v, nil
}

// dictValue returns the dictionary at v, following a reference.
func (d *document) dictValue(v span) (dict, error) {
	v, err := d.resolve(v)
	if err != nil {
		return dict{}, err
	}
	t, err := parseDict(d.b, v)
	if err != nil {
		return dict{}, notPDF("%v", err)
	}
	return t, nil
}

// arrayValue returns the elements of the array at v, following a reference.
func (d *document) arrayValue(v span) ([]span, error) {
	v, err := d.resolve(v)
	if err != nil {
		return nil, err
	}
	elems, err := parseArray(d.b, v)
	if err != nil {
		return nil, notPDF("%v", err)
	}
	return elems, nil
}

// catalog returns the document catalog.
func (d *document) catalog() (dict, error) {
	v, err := d.object(d.root)
	if err != nil {
		return dict{}, err
	}
	c, err := d.dictValue(v)
	if err != nil {
		return dict{}, err
	}
	if c.name("Type") != "Catalog" {
		return dict{}, notPDF("/Root is not a catalog")
	}
	return c, nil
}

// firstPage returns the first page of the page tree under catalog and its
// reference.
func (d *document) firstPage(catalog dict) (ref, dict, error) {
	raw, _, _ := catalog.get("Pages")
	r, ok := parseRef(raw)
	for depth := 0; ok && depth < maxDepth; depth++ {
		v, err := d.object(r)
		if err != nil {
			return ref{}, dict{}, err
		}
		node, err := d.dictValue(v)
		if err != nil {
			return ref{}, dict{}, err
		}
		switch node.name("Type") {
		case "Page":
			return r, node, nil
		case "Pages":
			_, kids, _ := node.get("Kids")
			elems, err := d.arrayValue(kids)
			if err != nil || len(elems) == 0 {
				return ref{}, dict{}, notPDF("page tree node %v has no /Kids", r)
			}
			r, ok = parseRef(d.b[elems[0].start:elems[0].end])
		default:
			return ref{}, dict{}, notPDF("object %v in the page tree is not a page", r)
		}
	}
	return ref{}, dict{}, notPDF("no first page")
}
