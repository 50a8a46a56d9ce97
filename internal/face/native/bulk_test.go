package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
)

// readAll decodes every record of input.
func readAll(t testing.TB, format, input string) ([]core.ImportRecord, error) {
	r, err := NewUserReader(format, strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	var recs []core.ImportRecord
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
		if len(recs) > 10000 {
			t.Fatal("reader does not end")
		}
	}
}

func TestDecodeRecords(t *testing.T) {
	tests := []struct {
		name, format, input string
		lines               []int        // line of each record
		problems            []string     // part of each record's problem ("" none)
		fields              []core.Patch // some decoded values of each record
		fatal               string       // part of the error that stops the reader
	}{
		{"jsonl nested and flat", "jsonl", "{\"name\":\"a\",\"profile\":{\"bio\":\"x\"}}\n\n{\"name\":\"b\",\"bio\":null,\"password_hash\":\"$2a$x\"}\r\n",
			[]int{1, 3}, []string{"", ""}, []core.Patch{{"name": "a", "bio": "x"}, {"name": "b", "bio": nil, "password_hash": "$2a$x"}}, ""},
		{"jsonl no final newline", "jsonl", `{"name":"a","level":30}`, []int{1}, []string{""}, []core.Patch{{"level": int64(30)}}, ""},
		{"jsonl bad lines", "jsonl", "not json\n[1]\n{\"name\":1}\n{\"nick\":\"x\"}\n{\"name\":\"a\",\"name\":\"b\"}\n{\"profile\":{\"id\":1}}\n{\"password_hash\":5}\n",
			[]int{1, 2, 3, 4, 5, 6, 7}, []string{"Not a JSON object", "Not a JSON object", "must be a string", "is not a field", "name", "is not a field of profile", "password_hash must be a string"}, nil, ""},
		{"csv", "csv", "name,profile.bio,level,password_hash,last_ip,profile.links\r\nann,\"two\nlines\",30,,192.0.2.1,\"[\"\"https://x\"\"]\"\nbob,,20,$2b$x,,[]\n",
			[]int{2, 4}, []string{"", ""}, []core.Patch{
				{"name": "ann", "bio": "two\nlines", "level": int64(30), "password_hash": nil, "links": json.RawMessage(`["https://x"]`)},
				{"name": "bob", "bio": nil, "password_hash": "$2b$x", "last_ip": nil}}, ""},
		{"csv flat names and bom", "csv", "\ufeffname,bio\nann,hi\n", []int{2}, []string{""}, []core.Patch{{"bio": "hi"}}, ""},
		{"csv bad cells", "csv", "name,level,active,created_at,profile.links\nann,high,maybe,yesterday,nope\nbob\n",
			[]int{2, 3}, []string{"level must be an integer", "has 1 cells, the header 5"}, nil, ""},
		{"csv unknown column", "csv", "name,nick\nann,x\n", nil, nil, nil, `column 2 "nick" is not a field`},
		{"csv wrong group", "csv", "name,settings.bio\n", nil, nil, nil, `"settings.bio" is not a field`},
		{"csv column twice", "csv", "name,profile.bio,bio\n", nil, nil, nil, "given twice"},
		{"csv bare quote", "csv", "name\n\"ann\n", nil, nil, nil, "extraneous or missing"},
		{"csv empty", "csv", "", nil, nil, nil, ""},
	}
	for _, tt := range tests {
		recs, err := readAll(t, tt.format, tt.input)
		if tt.fatal != "" {
			if err == nil || !strings.Contains(err.Error(), tt.fatal) {
				t.Errorf("%s: err %v, want …%s…", tt.name, err, tt.fatal)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(recs) != len(tt.lines) {
			t.Errorf("%s: %d records, want %d", tt.name, len(recs), len(tt.lines))
			continue
		}
		for i, rec := range recs {
			if rec.Line != tt.lines[i] {
				t.Errorf("%s #%d: line %d, want %d", tt.name, i, rec.Line, tt.lines[i])
			}
			switch p := tt.problems[i]; {
			case p == "" && rec.Err != nil:
				t.Errorf("%s #%d: %v", tt.name, i, rec.Err)
			case p != "" && (rec.Err == nil || !strings.Contains(problemText(rec.Err), p)):
				t.Errorf("%s #%d: problem %v, want …%s…", tt.name, i, rec.Err, p)
			}
			if tt.fields != nil {
				for k, want := range tt.fields[i] {
					if got, ok := rec.Fields[k]; !ok || !equalValue(got, want) {
						t.Errorf("%s #%d: %s = %#v, want %#v", tt.name, i, k, got, want)
					}
				}
			}
		}
	}
}

func problemText(err error) string {
	e := core.AsError(err)
	s := e.Message
	for k, v := range e.Fields {
		s += " " + k + " " + v
	}
	return s + " " + err.Error()
}

func equalValue(a, b any) bool {
	if ra, ok := a.(json.RawMessage); ok {
		rb, ok := b.(json.RawMessage)
		return ok && bytes.Equal(ra, rb)
	}
	if a != nil && b != nil {
		if _, ok := a.(interface{ String() string }); ok {
			return a.(interface{ String() string }).String() == b.(interface{ String() string }).String()
		}
	}
	return a == b
}

// TestLongLine: a JSONL line past MaxLineBytes is refused on its own
// line; the next line still reads.
func TestLongLine(t *testing.T) {
	input := `{"name":"` + strings.Repeat("a", MaxLineBytes) + "\"}\n{\"name\":\"b\"}\n"
	recs, err := readAll(t, "jsonl", input)
	if err != nil || len(recs) != 2 || recs[0].Err == nil || recs[0].Line != 1 || recs[1].Err != nil || recs[1].Line != 2 {
		t.Fatalf("err %v, %d records", err, len(recs))
	}
}

// TestCSVCellsUnambiguous: an empty CSV cell is NULL, which needs every
// nullable text field to refuse "" (else "" would not round-trip).
func TestCSVCellsUnambiguous(t *testing.T) {
	for _, f := range core.Fields {
		if f.Null && f.Kind == core.KindText && f.Min == 0 {
			t.Errorf("%s: nullable text that takes \"\"; an empty CSV cell cannot tell them apart", f.Name)
		}
	}
}

// TestBulkWritersRoundTrip: what the writers write, the readers read back
// as the same values, in both formats.
func TestBulkWritersRoundTrip(t *testing.T) {
	bio, hash := "line1\nline2, \"quoted\"", "$2b$10$abc"
	last := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	u := &core.User{ID: 3, Name: "ann", Bio: &bio, PasswordHash: &hash, Level: 30, LastLoginAt: &last,
		Links: json.RawMessage(`["https://x"]`), CustomPreferences: json.RawMessage(`{}`)}
	for _, format := range []string{"jsonl", "csv"} {
		var buf bytes.Buffer
		w, _ := NewUserWriter(format, &buf, true)
		if err := errors.Join(w.Write(u), w.Write(u), w.Flush()); err != nil {
			t.Fatal(err)
		}
		recs, err := readAll(t, format, buf.String())
		if err != nil || len(recs) != 2 {
			t.Fatalf("%s: %d records, %v\n%s", format, len(recs), err, buf.String())
		}
		for _, rec := range recs {
			if rec.Err != nil {
				t.Fatalf("%s: %v %v", format, rec.Err, core.AsError(rec.Err).Fields)
			}
			for k, want := range map[string]any{"name": "ann", "bio": bio, "password_hash": hash, "level": int64(30), "id": int64(3),
				"last_login_at": last, "links": json.RawMessage(`["https://x"]`), "email": nil} {
				if got := rec.Fields[k]; !equalValue(got, want) {
					t.Errorf("%s: %s = %#v, want %#v", format, k, got, want)
				}
			}
		}
		var again bytes.Buffer
		w, _ = NewUserWriter(format, &again, false)
		w.Write(u)
		w.Flush()
		if strings.Contains(again.String(), "password_hash") || strings.Contains(again.String(), hash) {
			t.Errorf("%s without hashes carries one:\n%s", format, again.String())
		}
	}
}

// FuzzJSONLReader: any input decodes to records or a reader error, never
// a panic; a decoded record's values are of their fields' kinds.
func FuzzJSONLReader(f *testing.F) {
	for _, s := range []string{"", "\n", `{"name":"a"}`, "{\"name\":\"a\",\"profile\":{\"bio\":\"x\"}}\n{}\n",
		`{"password_hash":"$2a$"}`, `{"profile":1}`, `{"created_at":"2020-01-01T00:00:00Z","last_ip":"::1"}`, "{\"a\":\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		recs, err := readAll(t, "jsonl", input)
		checkRecords(t, recs, err)
	})
}

// FuzzCSVReader is FuzzJSONLReader for CSV.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"", "name\n", "name,level\na,1\n", "name,profile.links\na,\"[\"\"x\"\"]\"\n", "name\n\"a\n",
		"password_hash,last_ip\n,::1\n", "name,name\n", "a,b\nc\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		recs, err := readAll(t, "csv", input)
		checkRecords(t, recs, err)
	})
}

func checkRecords(t *testing.T, recs []core.ImportRecord, err error) {
	prev := 0
	for _, rec := range recs {
		if rec.Line <= prev {
			t.Fatalf("line %d after %d", rec.Line, prev)
		}
		prev = rec.Line
		if rec.Err != nil {
			if rec.Fields != nil {
				t.Fatalf("line %d: fields %v with problem %v", rec.Line, rec.Fields, rec.Err)
			}
			continue
		}
		for k, v := range rec.Fields {
			f := core.FieldByName(k)
			if f == nil {
				t.Fatalf("line %d: %q is not a field", rec.Line, k)
			}
			if v != nil {
				if _, reason := f.DecodeJSON(nativeJSON.Marshal(docValue(v))); reason != "" && f.Kind != core.KindJSON {
					t.Fatalf("line %d: %s = %#v does not re-decode: %s", rec.Line, k, v, reason)
				}
			}
		}
	}
}

// TestExportLineIsTheAPIRepresentation: an export line without the hash
// is byte for byte what the native API renders to the system.
func TestExportLineIsTheAPIRepresentation(t *testing.T) {
	bio, tz := "hi", "Europe/Berlin"
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	u := &core.User{ID: 9, XID: "d3f8gh1t0000000000g0", SID: "abcde", Name: "ann", Bio: &bio, Timezone: &tz, Level: 30,
		LastLoginAt: &at, CreatedAt: at, Links: json.RawMessage(`["https://x"]`), CustomPreferences: json.RawMessage(`{}`)}
	if got, want := AppendExportUser(nil, u, false), MarshalUser(u, core.System); !bytes.Equal(got, want) {
		t.Errorf("export line\n%s\nAPI\n%s", got, want)
	}
}
