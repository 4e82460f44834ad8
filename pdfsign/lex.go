package pdfsign

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf16"
)

// maxDepth bounds the nesting of arrays and dictionaries the lexer accepts,
// so that hostile input cannot exhaust the stack.
const maxDepth = 32

// A span locates one PDF value in the file: b[start:end].
type span struct{ start, end int }

// A ref is an indirect reference "num gen R".
type ref struct{ num, gen int }

func (r ref) String() string { return fmt.Sprintf("%d %d R", r.num, r.gen) }

// A lexer scans PDF tokens and values in b from pos.
type lexer struct {
	b   []byte
	pos int
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !isSpace(c) && !isDelim(c) }

// skipSpace advances past white space and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// skipWhite advances past white space only.
func (l *lexer) skipWhite() {
	for l.pos < len(l.b) && isSpace(l.b[l.pos]) {
		l.pos++
	}
}

// keyword reports whether the next token is the keyword kw, and consumes it
// if so.
func (l *lexer) keyword(kw string) bool {
	l.skipSpace()
	end := l.pos + len(kw)
	if end > len(l.b) || string(l.b[l.pos:end]) != kw || (end < len(l.b) && isRegular(l.b[end])) {
		return false
	}
	l.pos = end
	return true
}

// integer consumes an unsigned integer token.
func (l *lexer) integer() (int, bool) {
	l.skipSpace()
	start := l.pos
	for l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '9' {
		l.pos++
	}
	if l.pos == start || l.pos-start > 10 || (l.pos < len(l.b) && isRegular(l.b[l.pos])) {
		l.pos = start
		return 0, false
	}
	n, _ := strconv.Atoi(string(l.b[start:l.pos]))
	return n, true
}

// value consumes one direct value (a reference "n g R" counts as one) and
// returns where it lies.
func (l *lexer) value() (span, error) { return l.valueDepth(0) }

func (l *lexer) valueDepth(depth int) (span, error) {
	if depth > maxDepth {
		return span{}, fmt.Errorf("objects nested too deeply at offset %d", l.pos)
	}
	l.skipSpace()
	start := l.pos
	if l.pos >= len(l.b) {
		return span{}, fmt.Errorf("unexpected end of file")
	}
	var err error
	switch c := l.b[l.pos]; {
	case c == '<' && l.pos+1 < len(l.b) && l.b[l.pos+1] == '<':
		err = l.compound(depth, true)
	case c == '<':
		i := bytes.IndexByte(l.b[l.pos:], '>')
		if i < 0 {
			return span{}, fmt.Errorf("unterminated hex string at offset %d", start)
		}
		l.pos += i + 1
	case c == '(':
		err = l.literalString()
	case c == '[':
		err = l.compound(depth, false)
	case c == '/':
		l.pos++
		l.regular()
	case isRegular(c):
		// A reference "n g R", or a single number or keyword.
		if _, ok := l.integer(); ok {
			end := l.pos
			if _, ok := l.integer(); ok && l.keyword("R") {
				return span{start, l.pos}, nil
			}
			l.pos = end
			return span{start, end}, nil
		}
		l.regular()
	default:
		return span{}, fmt.Errorf("unexpected %q at offset %d", c, start)
	}
	if err != nil {
		return span{}, err
	}
	return span{start, l.pos}, nil
}

// regular consumes a run of regular characters: the rest of a name, a real
// number or a keyword.
func (l *lexer) regular() {
	for l.pos < len(l.b) && isRegular(l.b[l.pos]) {
		l.pos++
	}
}

// compound consumes a dictionary, if dict, or else an array.
func (l *lexer) compound(depth int, dict bool) error {
	start := l.pos
	closer := "]"
	if dict {
		closer = ">>"
	}
	l.pos += len(closer) // "<<" and "[" have the lengths of their closers
	for {
		l.skipSpace()
		if l.pos >= len(l.b) {
			return fmt.Errorf("unterminated object at offset %d", start)
		}
		if bytes.HasPrefix(l.b[l.pos:], []byte(closer)) {
			l.pos += len(closer)
			return nil
		}
		if dict {
			if l.b[l.pos] != '/' {
				return fmt.Errorf("dictionary key expected at offset %d", l.pos)
			}
			if _, err := l.valueDepth(depth + 1); err != nil {
				return err
			}
		}
		if _, err := l.valueDepth(depth + 1); err != nil {
			return err
		}
	}
}

// literalString consumes a (string) with nested parentheses and escapes.
func (l *lexer) literalString() error {
	start := l.pos
	nest := 0
	for ; l.pos < len(l.b); l.pos++ {
		switch l.b[l.pos] {
		case '\\':
			l.pos++
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				l.pos++
				return nil
			}
		}
	}
	return fmt.Errorf("unterminated string at offset %d", start)
}

// A dict is a parsed dictionary: its keys in file order (names without the
// slash) and where each value lies in src.
type dict struct {
	src  []byte
	keys []string
	vals []span
}

// parseDict parses the dictionary at s in b.
func parseDict(b []byte, s span) (dict, error) {
	l := lexer{b: b[:s.end], pos: s.start}
	if !bytes.HasPrefix(b[s.start:s.end], []byte("<<")) {
		return dict{}, fmt.Errorf("dictionary expected at offset %d", s.start)
	}
	l.pos += 2
	d := dict{src: b}
	for {
		l.skipSpace()
		if bytes.HasPrefix(b[l.pos:s.end], []byte(">>")) {
			return d, nil
		}
		k, err := l.value()
		if err != nil {
			return dict{}, err
		}
		if b[k.start] != '/' {
			return dict{}, fmt.Errorf("dictionary key expected at offset %d", k.start)
		}
		v, err := l.value()
		if err != nil {
			return dict{}, err
		}
		d.keys = append(d.keys, string(b[k.start+1:k.end]))
		d.vals = append(d.vals, v)
	}
}

// get returns the raw bytes and location of key's value.
func (d dict) get(key string) ([]byte, span, bool) {
	for i, k := range d.keys {
		if k == key {
			return d.src[d.vals[i].start:d.vals[i].end], d.vals[i], true
		}
	}
	return nil, span{}, false
}

// name returns key's value if it is a name, without the slash.
func (d dict) name(key string) string {
	raw, _, ok := d.get(key)
	if !ok || len(raw) == 0 || raw[0] != '/' {
		return ""
	}
	return string(raw[1:])
}

// an entry is one key and its raw value, for writing dictionaries.
type entry struct{ key, val string }

// rewrite serialises d with the values of set replacing or, for new keys,
// following the existing entries.
func (d dict) rewrite(set ...entry) []byte {
	var buf bytes.Buffer
	buf.WriteString("<<")
	done := make(map[string]bool)
	for i, k := range d.keys {
		v := string(d.src[d.vals[i].start:d.vals[i].end])
		for _, e := range set {
			if e.key == k {
				v, done[k] = e.val, true
			}
		}
		fmt.Fprintf(&buf, "/%s %s\n", k, v)
	}
	for _, e := range set {
		if !done[e.key] {
			fmt.Fprintf(&buf, "/%s %s\n", e.key, e.val)
		}
	}
	buf.WriteString(">>")
	return buf.Bytes()
}

// parseArray returns where the elements of the array at s lie.
func parseArray(b []byte, s span) ([]span, error) {
	if s.end-s.start < 2 || b[s.start] != '[' {
		return nil, fmt.Errorf("array expected at offset %d", s.start)
	}
	l := lexer{b: b[:s.end-1], pos: s.start + 1}
	var elems []span
	for {
		l.skipSpace()
		if l.pos >= s.end-1 {
			return elems, nil
		}
		v, err := l.value()
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
	}
}

// parseRef parses "num gen R".
func parseRef(raw []byte) (ref, bool) {
	l := lexer{b: raw}
	num, ok1 := l.integer()
	gen, ok2 := l.integer()
	if !ok1 || !ok2 || !l.keyword("R") {
		return ref{}, false
	}
	l.skipSpace()
	return ref{num, gen}, l.pos == len(raw)
}

// parseInt parses an unsigned integer value.
func parseInt(raw []byte) (int, bool) {
	l := lexer{b: raw}
	n, ok := l.integer()
	l.skipSpace()
	return n, ok && l.pos == len(raw)
}

// parseHex decodes a <hex string>, ignoring white space and treating an odd
// final digit as followed by 0, as the PDF specification says.
func parseHex(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '<' || raw[len(raw)-1] != '>' {
		return nil, false
	}
	digits := make([]byte, 0, len(raw))
	for _, c := range raw[1 : len(raw)-1] {
		if !isSpace(c) {
			digits = append(digits, c)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	if _, err := hex.Decode(out, digits); err != nil {
		return nil, false
	}
	return out, true
}

// parseLiteral decodes a (literal string).
func parseLiteral(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '(' || raw[len(raw)-1] != ')' {
		return nil, false
	}
	raw = raw[1 : len(raw)-1]
	var out []byte
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 == len(raw) {
			out = append(out, c)
			continue
		}
		i++
		switch c = raw[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		case '\n':
		default:
			if c >= '0' && c <= '7' {
				v := 0
				for j := 0; j < 3 && i < len(raw) && raw[i] >= '0' && raw[i] <= '7'; j++ {
					v = v*8 + int(raw[i]-'0')
					i++
				}
				i--
				out = append(out, byte(v))
			} else {
				out = append(out, c)
			}
		}
	}
	return out, true
}

// parseText decodes a text string value, literal or hex, in PDFDocEncoding
// (read as Latin-1, which agrees on the printable range) or UTF-16BE with a
// byte order mark.
func parseText(raw []byte) string {
	s, ok := parseLiteral(raw)
	if !ok {
		if s, ok = parseHex(raw); !ok {
			return ""
		}
	}
	if len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF {
		u := make([]uint16, 0, len(s)/2)
		for i := 2; i+1 < len(s); i += 2 {
			u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(s))
	for i, c := range s {
		r[i] = rune(c)
	}
	return string(r)
}

// textString encodes s as a PDF text string: a literal string when it is
// printable ASCII, else UTF-16BE with a byte order mark in hex.
func textString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		var buf bytes.Buffer
		buf.WriteByte('(')
		for i := 0; i < len(s); i++ {
			if s[i] == '(' || s[i] == ')' || s[i] == '\\' {
				buf.WriteByte('\\')
			}
			buf.WriteByte(s[i])
		}
		buf.WriteByte(')')
		return buf.String()
	}
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xFE, 0xFF
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return "<" + hex.EncodeToString(b) + ">"
}
