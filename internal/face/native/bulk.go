package native

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// The bulk formats of usersd import and export. A JSONL line is the
// native representation of a user as the system sees it, with the
// password hash as a top-level "password_hash" (absent when the export
// may not carry hashes); a CSV row has one column per field, named by its
// native path (CSVColumns).

// hashField is the one field the bulk formats carry that the API never
// renders.
const hashField = "password_hash"

// Media types of the bulk formats, by format name, as the API's export
// answers and its import takes them.
var bulkTypes = map[string]string{"jsonl": "application/x-ndjson", "csv": "text/csv"}

// MaxLineBytes bounds one JSONL line or CSV record of an import: a user
// is at most 16 MiB (--max-user-bytes), and its JSON a little more.
const MaxLineBytes = 32 << 20

// AppendExportUser appends the JSONL line of u (without the newline):
// what appendUser renders to the system, every group present, with
// password_hash after the top-level fields when withHash.
func AppendExportUser(b []byte, u *core.User, withHash bool) []byte {
	b = append(b, '{')
	for gi, g := range wireLayout {
		if g.key != nil {
			b = append(append(append(b, ','), g.key...), '{')
		}
		for si, s := range g.slots {
			if si > 0 {
				b = append(b, ',')
			}
			b = appendValue(append(b, s.key...), s.field, u)
		}
		switch {
		case g.key != nil:
			b = append(b, '}')
		case gi == 0 && withHash:
			b = append(b, `,"password_hash":`...)
			b = appendValue(b, hashRegistryField, u)
		}
	}
	return append(b, '}')
}

var hashRegistryField = core.FieldByName(hashField)

// CSVColumns lists the CSV header: each field's native path ("name",
// "profile.bio") in the order of the JSON representation, password_hash
// after the top-level fields.
func CSVColumns(withHash bool) []string {
	var cols []string
	for _, s := range slots {
		cols = append(cols, s.path())
		if withHash && s.field.Name == layout[0].fields[len(layout[0].fields)-1] {
			cols = append(cols, hashField)
		}
	}
	return cols
}

// UserWriter writes users in a bulk format.
type UserWriter interface {
	Write(u *core.User) error
	// Flush writes what is buffered; call it at the end.
	Flush() error
}

// NewUserWriter returns a writer of format "jsonl" or "csv".
func NewUserWriter(format string, w io.Writer, withHash bool) (UserWriter, error) {
	switch format {
	case "jsonl":
		return &jsonlWriter{w: bufio.NewWriterSize(w, 256<<10), hash: withHash}, nil
	case "csv":
		cw := csv.NewWriter(w)
		return &csvWriter{w: cw, hash: withHash, cols: CSVColumns(withHash)}, nil
	}
	return nil, fmt.Errorf("format %q: want jsonl or csv", format)
}

type jsonlWriter struct {
	w    *bufio.Writer
	hash bool
	buf  []byte
}

func (j *jsonlWriter) Write(u *core.User) error {
	j.buf = append(AppendExportUser(j.buf[:0], u, j.hash), '\n')
	_, err := j.w.Write(j.buf)
	return err
}

func (j *jsonlWriter) Flush() error { return j.w.Flush() }

type csvWriter struct {
	w      *csv.Writer
	hash   bool
	cols   []string
	header bool
	row    []string
}

func (c *csvWriter) Write(u *core.User) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(c.cols); err != nil {
			return err
		}
	}
	c.row = c.row[:0]
	for _, path := range c.cols {
		if path == hashField {
			c.row = append(c.row, csvCell(core.FieldByName(hashField), fromPtr(u.PasswordHash)))
			continue
		}
		f := slotOf[fieldOfPath(path)].field
		c.row = append(c.row, csvCell(f, f.Value(u)))
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) Flush() error {
	if !c.header {
		// An empty export is still a file with its header.
		c.header = true
		if err := c.w.Write(c.cols); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

func fromPtr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// fieldOfPath is the registry name of a native path.
func fieldOfPath(path string) string {
	if i := strings.IndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// csvCell renders a value as a CSV cell: NULL is the empty cell (no
// nullable text field accepts ""), lists and objects are their JSON text,
// instants RFC 3339 in UTC with microseconds, as in JSON.
func csvCell(f *core.Field, v any) string {
	if v == nil {
		return ""
	}
	if f.Kind == core.KindJSON {
		return string(v.(json.RawMessage))
	}
	// The common kinds directly: a JSON round trip of every cell was a
	// third of a CSV export's time.
	switch x := v.(type) {
	case string:
		if utf8.ValidString(x) {
			return x
		}
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	raw := nativeJSON.Marshal(docValue(v))
	if raw[0] == '"' {
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1])
		}
		var s string
		json.Unmarshal(raw, &s)
		return s
	}
	return string(raw)
}

// NewUserReader returns a reader of format "jsonl" or "csv" for import.
func NewUserReader(format string, r io.Reader) (core.RecordReader, error) {
	switch format {
	case "jsonl":
		return &jsonlReader{r: bufio.NewReaderSize(r, 256<<10)}, nil
	case "csv":
		cr := csv.NewReader(r)
		cr.ReuseRecord = true
		return &csvReader{r: cr}, nil
	}
	return nil, fmt.Errorf("format %q: want jsonl or csv", format)
}

type jsonlReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

// Next reads the next non-blank line as one user.
func (j *jsonlReader) Next() (core.ImportRecord, error) {
	for {
		line, tooLong, err := j.readLine()
		if err != nil {
			return core.ImportRecord{}, err
		}
		j.line++
		if tooLong {
			return core.ImportRecord{Line: j.line, Err: fmt.Errorf("line is longer than %d bytes", MaxLineBytes)}, nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fields, err := DecodeUserLine(line)
		return core.ImportRecord{Line: j.line, Fields: fields, Err: err}, nil
	}
}

// readLine returns the next line without its end; a line past
// MaxLineBytes is skipped and reported as too long. io.EOF only when no
// line is left.
func (j *jsonlReader) readLine() (line []byte, tooLong bool, err error) {
	j.buf = j.buf[:0]
	for {
		chunk, err := j.r.ReadSlice('\n')
		if !tooLong {
			if len(j.buf)+len(chunk) > MaxLineBytes+2 {
				tooLong, j.buf = true, j.buf[:0]
			} else {
				j.buf = append(j.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			if len(j.buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
		case err != nil:
			return nil, false, err
		}
		return bytes.TrimRight(j.buf, "\r\n"), tooLong, nil
	}
}

// DecodeUserLine decodes one JSONL line: the native representation as
// creates and updates take it (nested or flat), plus password_hash.
func DecodeUserLine(line []byte) (core.Patch, error) {
	if b := bytes.TrimLeft(line, " \t"); len(b) == 0 || b[0] != '{' {
		return nil, core.Errorf(core.Invalid, "Not a JSON object.")
	}
	obj, err := httpx.ParseObject(line)
	if err != nil {
		return nil, err
	}
	in, err := decodeUser(obj, hashField)
	if err != nil {
		return nil, err
	}
	if raw, ok := obj[hashField]; ok {
		v, reason := core.FieldByName(hashField).DecodeJSON(raw)
		if reason != "" {
			return nil, core.FieldError(hashField, reason)
		}
		in.fields[hashField] = v
	}
	return in.fields, nil
}

type csvReader struct {
	r    *csv.Reader
	cols []*core.Field // by column; nil until the header is read
}

// Next reads the next row; the first call reads the header, whose
// unknown or repeated columns stop the import.
func (c *csvReader) Next() (core.ImportRecord, error) {
	if c.cols == nil {
		head, err := c.r.Read()
		if err != nil {
			if err == io.EOF {
				return core.ImportRecord{}, io.EOF
			}
			return core.ImportRecord{}, csvStop(fmt.Errorf("csv header: %w", err))
		}
		if c.cols, err = csvHeader(head); err != nil {
			return core.ImportRecord{}, &core.Error{Code: core.Invalid, Message: err.Error()}
		}
	}
	row, err := c.r.Read()
	if err == io.EOF {
		return core.ImportRecord{}, io.EOF
	}
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		if perr.Err == csv.ErrFieldCount {
			return core.ImportRecord{Line: perr.StartLine, Err: fmt.Errorf("has %d cells, the header %d", len(row), len(c.cols))}, nil
		}
		// The reader cannot find where the bad record ends: stop.
		return core.ImportRecord{}, csvStop(err)
	}
	if err != nil {
		return core.ImportRecord{}, err
	}
	line, _ := c.r.FieldPos(0)
	fields, err := decodeCSVRow(c.cols, row)
	return core.ImportRecord{Line: line, Fields: fields, Err: err}, nil
}

// csvStop makes a CSV syntax error that stops an import the input's
// fault (Invalid), and leaves read errors as they are.
func csvStop(err error) error {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return &core.Error{Code: core.Invalid, Message: err.Error(), Err: err}
	}
	return err
}

func csvHeader(head []string) ([]*core.Field, error) {
	cols := make([]*core.Field, len(head))
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		name := h
		if h != hashField {
			s, ok := slotOf[fieldOfPath(h)]
			if !ok || (s.path() != h && s.field.Name != h) {
				return nil, fmt.Errorf("csv header: column %d %q is not a field", i+1, h)
			}
			name = s.field.Name
		}
		if seen[name] {
			return nil, fmt.Errorf("csv header: column %d %q is given twice", i+1, h)
		}
		seen[name] = true
		cols[i] = core.FieldByName(name)
	}
	return cols, nil
}

// decodeCSVRow reads the cells of a row through the fields' JSON
// decoding: a cell is the JSON value, unquoted for text kinds. An empty
// cell is null, "" for text that cannot be null, and leaves any other
// field that cannot be null at its default.
func decodeCSVRow(cols []*core.Field, row []string) (core.Patch, error) {
	p := core.Patch{}
	probs := map[string]string{}
	for i, cell := range row {
		f := cols[i]
		switch {
		case cell == "" && f.Null:
			p[f.Name] = nil
			continue
		case cell == "" && f.Kind != core.KindText:
			// A field that cannot be null keeps its default.
			continue
		}
		var raw []byte
		switch f.Kind {
		case core.KindInt, core.KindBool, core.KindJSON:
			raw = []byte(cell)
		default:
			raw, _ = json.Marshal(cell)
		}
		v, reason := f.DecodeJSON(raw)
		if reason != "" {
			probs[pathOf(f)] = reason
			continue
		}
		p[f.Name] = v
	}
	if len(probs) > 0 {
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid input.", Fields: probs}
	}
	return p, nil
}

func pathOf(f *core.Field) string {
	if s, ok := slotOf[f.Name]; ok {
		return s.path()
	}
	return f.Name
}
