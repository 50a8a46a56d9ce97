package sqlstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"usersd/internal/core"
)

// Packed rows. A users row has over a hundred columns, and a pure-Go
// driver pays for every result column of every query: the driver
// describes each (name, declared type), database/sql converts each, and
// each column read takes the connection's mutex. Where Flavor.PackRow is
// set, a record is selected as one value the engine builds (SQLite's
// json_array of the columns, BLOBs as hex) and unpacked here into the
// same scanners the columns would go to, so the two paths fill a record
// identically (TestPackedRowsMatchColumns). It is always read from the
// row itself: nothing is cached, so nothing can be stale.

// packs reports whether reads of e select one packed value.
func (db *DB) packs() bool { return db.F.PackRow != nil && db.F.MaterializePage }

var packedLists sync.Map // packKey → string

type packKey struct {
	f *Flavor
	e *core.Entity
}

// packedList is the select list of every column of e's row, packed into
// one value.
func (db *DB) packedList(e *core.Entity) string {
	k := packKey{db.F, e}
	if s, ok := packedLists.Load(k); ok {
		return s.(string)
	}
	cols := make([]PackedColumn, len(e.Fields))
	for i, f := range e.Fields {
		cols[i] = PackedColumn{Expr: e.Table + "." + f.Name, Blob: isBlob(f)}
	}
	s, _ := packedLists.LoadOrStore(k, db.F.PackRow(cols))
	return s.(string)
}

// rowList is the select list of e's row: packed or the columns.
func (db *DB) rowList(e *core.Entity) string {
	if db.packs() {
		return db.packedList(e)
	}
	return columnsOf(e)
}

// rowTargets appends to dest what rows.Scan fills for a row of
// rowList(e, …) into rec, a record of e.
func (db *DB) rowTargets(e *core.Entity, rec any, dest []any) []any {
	if db.packs() {
		return append(dest, packedTarget{e, rec})
	}
	for _, f := range e.Fields {
		dest = append(dest, scanTarget(f, rec))
	}
	return dest
}

// PackedColumn is one column of a packed row.
type PackedColumn struct {
	Expr string // the column, qualified
	Blob bool   // a BLOB, packed as hex text
}

// isBlob reports a field stored as a BLOB (an IP address's 16 bytes,
// encode).
func isBlob(f *core.Field) bool { return f.Kind == core.KindIP }

// packedTarget scans a packed row into rec.
type packedTarget struct {
	e   *core.Entity
	rec any
}

func (t packedTarget) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case string:
		// Read in place: unpackRow only reads b, and every value it
		// yields is copied before the callback returns.
		b = unsafe.Slice(unsafe.StringData(x), len(x))
	case []byte:
		b = x
	default:
		return fmt.Errorf("sqlstore: cannot unpack a row from %T", src)
	}
	fields := t.e.Fields
	n, err := unpackRow(b, func(i int, v token) error {
		if i >= len(fields) {
			return errors.New("too many values")
		}
		f := fields[i]
		// The common kinds are stored straight from the token: boxing each
		// value into an any for a Scanner was most of an unpacked row's
		// allocations.
		switch p := f.Ptr(t.rec).(type) {
		case *string:
			if v.kind == 's' {
				*p = string(v.raw)
				return nil
			}
		case **string:
			switch v.kind {
			case 'n':
				*p = nil
				return nil
			case 's':
				s := string(v.raw)
				*p = &s
				return nil
			}
		case *int64:
			if v.kind == 'i' {
				*p = v.num
				return nil
			}
		case *bool:
			if v.kind == 'i' && (v.num == 0 || v.num == 1) {
				*p = v.num == 1
				return nil
			}
		case *json.RawMessage:
			if v.kind == 's' {
				*p = append(json.RawMessage(nil), v.raw...)
				return nil
			}
		case *time.Time:
			if v.kind == 'i' {
				*p = microTime(v.num)
				return nil
			}
		case **time.Time:
			if v.kind == 'i' {
				at := microTime(v.num)
				*p = &at
				return nil
			}
		case *netip.Addr:
			if v.kind == 's' {
				raw, err := hex.DecodeString(string(v.raw))
				if err != nil {
					return err
				}
				return ipScanner{p}.Scan(raw)
			}
		}
		return assign(scanTarget(f, t.rec), v.value())
	})
	if err == nil && n != len(fields) {
		err = fmt.Errorf("%d values for %d columns", n, len(fields))
	}
	if err != nil {
		return fmt.Errorf("sqlstore: unpacking a %s row: %w", t.e.Name, err)
	}
	return nil
}

// assign stores driver value v through target, as rows.Scan would.
func assign(target any, v any) error {
	switch p := target.(type) {
	case interface{ Scan(any) error }:
		return p.Scan(v)
	case *int:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("cannot scan %T into an int", v)
		}
		*p = int(n)
	default:
		return fmt.Errorf("cannot scan %T into %T", v, target)
	}
	return nil
}

// token is one value of a packed row. raw (a string's unescaped bytes, a
// real's text) is valid only until the callback returns.
type token struct {
	kind byte // 'n' null, 'i' integer (num), 'f' real, 's' string
	num  int64
	raw  []byte
	esc  bool // raw was unescaped into the caller's buffer
}

// value returns the value as the driver would: nil, int64, float64 or
// string.
func (v token) value() any {
	switch v.kind {
	case 'i':
		return v.num
	case 'f':
		f, _ := strconv.ParseFloat(string(v.raw), 64)
		return f // SQLite writes ±Inf as ±9e999: ErrRange with ±Inf
	case 's':
		return string(v.raw)
	}
	return nil
}

// unpackRow calls fn with the index and value of each element of b, a
// JSON array of scalars as SQLite's json_array writes SQL values: null,
// an integer, a real or a string. It returns the number of elements.
func unpackRow(b []byte, fn func(i int, v token) error) (int, error) {
	var buf []byte // unescaped strings
	i := space(b, 0)
	if i >= len(b) || b[i] != '[' {
		return 0, errors.New("not an array")
	}
	i = space(b, i+1)
	if i < len(b) && b[i] == ']' {
		if space(b, i+1) != len(b) {
			return 0, errors.New("data after the array")
		}
		return 0, nil
	}
	for n := 0; ; {
		v, next, err := scalar(b, i, buf[:0])
		if err != nil {
			return n, err
		}
		if err := fn(n, v); err != nil {
			return n, err
		}
		if v.esc {
			buf = v.raw // reuse its capacity for the next escaped string
		}
		n++
		if next = space(b, next); next >= len(b) {
			return n, errors.New("unterminated array")
		}
		switch b[next] {
		case ',':
			i = space(b, next+1)
		case ']':
			if space(b, next+1) != len(b) {
				return n, errors.New("data after the array")
			}
			return n, nil
		default:
			return n, fmt.Errorf("unexpected %q at %d", b[next], next)
		}
	}
}

// space skips JSON whitespace from b[i:]; json_array writes none.
func space(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scalar reads the value at b[i:] and returns it with the index after
// it; an escaped string is unescaped into buf.
func scalar(b []byte, i int, buf []byte) (token, int, error) {
	if i >= len(b) {
		return token{}, i, errors.New("missing value")
	}
	switch c := b[i]; {
	case c == '"':
		return str(b, i+1, buf)
	case c == 'n' && hasWord(b, i, "null"):
		return token{kind: 'n'}, i + 4, nil
	case c == 't' && hasWord(b, i, "true"):
		return token{kind: 'i', num: 1}, i + 4, nil
	case c == 'f' && hasWord(b, i, "false"):
		return token{kind: 'i'}, i + 5, nil
	case c == '-' || c >= '0' && c <= '9':
		j, real := i+1, false
		for j < len(b) {
			d := b[j]
			if d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-' {
				real = true
			} else if d < '0' || d > '9' {
				break
			}
			j++
		}
		if !real {
			if n, ok := atoi(b[i:j]); ok {
				return token{kind: 'i', num: n}, j, nil
			}
			n, err := strconv.ParseInt(string(b[i:j]), 10, 64)
			return token{kind: 'i', num: n}, j, err
		}
		if _, err := strconv.ParseFloat(string(b[i:j]), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return token{}, j, err
		}
		return token{kind: 'f', raw: b[i:j]}, j, nil
	}
	return token{}, i, fmt.Errorf("unexpected %q at %d", b[i], i)
}

// atoi parses the decimal integers that need no more care: up to 18
// digits, an optional minus, no leading zero.
func atoi(d []byte) (int64, bool) {
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || (d[0] == '0' && len(d) > 1) {
		return 0, false
	}
	var n int64
	for _, c := range d {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func hasWord(b []byte, i int, w string) bool {
	return len(b)-i >= len(w) && string(b[i:i+len(w)]) == w
}

// str reads a JSON string whose opening quote is before b[i]. An
// unescaped string is a slice of b; an escaped one is unescaped into buf.
func str(b []byte, i int, buf []byte) (token, int, error) {
	if k := bytes.IndexByte(b[i:], '"'); k >= 0 && bytes.IndexByte(b[i:i+k], '\\') < 0 {
		return token{kind: 's', raw: b[i : i+k]}, i + k + 1, nil
	}
	j := i
	for j < len(b) && b[j] != '"' && b[j] != '\\' {
		j++
	}
	out := append(buf, b[i:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return token{kind: 's', raw: out, esc: true}, j + 1, nil
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(b) {
			break
		}
		j++
		switch e := b[j]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, k, ok := hex4(b, j+1)
			if !ok {
				return token{}, j, errors.New("bad \\u escape")
			}
			j = k - 1
			if utf16.IsSurrogate(r) {
				if len(b)-k >= 2 && b[k] == '\\' && b[k+1] == 'u' {
					if r2, k2, ok := hex4(b, k+2); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r, j = d, k2-1
						}
					}
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return token{}, j, fmt.Errorf("bad escape \\%c", e)
		}
		j++
	}
	return token{}, j, errors.New("unterminated string")
}

// hex4 reads the four hex digits at b[i:] as a rune.
func hex4(b []byte, i int) (rune, int, bool) {
	if len(b)-i < 4 {
		return 0, i, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(v), i + 4, err == nil
}
