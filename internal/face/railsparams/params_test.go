package railsparams

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump renders a value compactly for comparison.
func dump(v any) string {
	switch x := v.(type) {
	case *Hash:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = k + ":" + dump(x.vals[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = dump(y)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case nil:
		return "nil"
	case string:
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a=1&b=2", `{a:"1",b:"2"}`},
		{"a=1&a=2", `{a:"2"}`},
		{"a", `{a:nil}`},
		{"a=", `{a:""}`},
		{"search[name]=foo&search[level]=20", `{search:{name:"foo",level:"20"}}`},
		{"search[inviter][name]=x+y", `{search:{inviter:{name:"x y"}}}`},
		{"search%5Bname%5D=%2A", `{search:{name:"*"}}`},
		{"a[]=1&a[]=2", `{a:["1","2"]}`},
		{"a[][b]=1&a[][c]=2&a[][b]=3", `{a:[{b:"1",c:"2"},{b:"3"}]}`},
		{"a[][b][c]=1&a[][b][d]=2&a[][b][c]=3", `{a:[{b:{c:"1",d:"2"}},{b:{c:"3"}}]}`}, // params_hash_has_key? looks deep
		{"a[][]=1", `{a:[["1"]]}`},
		{"a[b", `{a:{[b:nil}}`}, // Rack's reading of a malformed name
		{"a[b]x=1", `{a:{b:{x:"1"}}}`},
		{"[]=1", `{[]:"1"}`},
		{"=1&[=2", `{[:"2"}`},
		{"&&a=1& b=2", `{a:"1",b:"2"}`},
		{"a=%00", "{a:\"\\x00\"}"}, // NUL is a face's business
	}
	for _, tt := range tests {
		p, err := ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if got := dump(p); got != tt.want {
			t.Errorf("ParseQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"a=%zz", "a=1&a[b]=2", "a[]=1&a[b]=2", "a[b]=1&a[]=2", "a=%ff", strings.Repeat("[a]", 40) + "x=1"} {
		p, err := ParseQuery(strings.Replace(bad, "x=1", "=1", 1))
		if err == nil {
			t.Errorf("ParseQuery(%q) = %s, want an error", bad, dump(p))
		} else if !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseQuery(%q) error %v is not ErrInvalid", bad, err)
		}
	}
}

// TestOptions pins the leniency e621's face keeps (its cases moved here
// from its own parser's tests) and Clean.
func TestOptions(t *testing.T) {
	clean := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "") }
	lenient := Options{Clean: clean, Lenient: true}
	tests := []struct {
		opt      Options
		in, want string
	}{
		{lenient, "a=1&b=2", `{a:"1",b:"2"}`},
		{lenient, "user[name]=fox&user[password]=x+y", `{user:{name:"fox",password:"x y"}}`},
		{lenient, "a[][b]=1&a[][c]=2&a[][b]=3", `{a:[{b:"1",c:"2"},{b:"3"}]}`},
		{lenient, "=1&&x", `{x:""}`},                  // a bare key is ""
		{lenient, "a=%zz&b=%+x", `{a:"%zz",b:"% x"}`}, // bad escapes stay as written
		{lenient, "a=b%00c%FF", `{a:"bc"}`},           // cleaned, not refused
		{lenient, "a%00=1", `{a:"1"}`},
		{lenient, "a=1&a[b]=2", `{a:{b:"2"}}`}, // a conflict replaces
		{lenient, "a[b]=1&a=2", `{a:"2"}`},
		{lenient, "a[]=1&a[b]=2", `{a:{b:"2"}}`},
		{lenient, "a[b]=1&a[]=2", `{a:["2"]}`},
		{lenient, "a=1&a[][b]=2", `{a:[{b:"2"}]}`},
		{lenient, "x" + strings.Repeat("[a]", 40) + "=1", `{x` + strings.Repeat("[a]", 40) + `:"1"}`}, // too deep: flat
		{Options{Clean: clean}, "a=b%00c%FF", `{a:"bc"}`},
	}
	for _, tt := range tests {
		p, err := tt.opt.ParseQuery(tt.in)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.in, err)
			continue
		}
		if got := dump(p); got != tt.want {
			t.Errorf("ParseQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := (Options{Clean: clean}).ParseQuery("a=%zz"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Clean alone still refuses bad escapes: %v", err)
	}
	part := "--XX\r\nContent-Disposition: form-data; name=\"user[name]\"\r\n\r\nf\x00o\xffx\r\n"
	p, err := lenient.ParseMultipart([]byte(part+"--XX--\r\n"), "XX")
	if err != nil || dump(p) != `{user:{name:"fox"}}` {
		t.Errorf("lenient multipart = %s, %v", dump(p), err)
	}
	p, err = lenient.ParseMultipart([]byte("--XX\r\nbroken"), "XX")
	if err != nil || dump(p) != `{}` {
		t.Errorf("lenient broken multipart = %s, %v", dump(p), err)
	}
}

func TestSplitQuery(t *testing.T) {
	pairs, err := SplitQuery("a=1&b& c=x+y&d=%41")
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{
		{Key: "a", Value: "1", HasValue: true, Raw: "a=1"},
		{Key: "b", Raw: "b"},
		{Key: "c", Value: "x y", HasValue: true, Raw: "c=x+y"},
		{Key: "d", Value: "A", HasValue: true, Raw: "d=%41"},
	}
	if got := fmt.Sprint(pairs); got != fmt.Sprint(want) {
		t.Errorf("got %s, want %s", got, fmt.Sprint(want))
	}
}

func TestParseJSON(t *testing.T) {
	p, err := ParseJSON([]byte(`{"user":{"per_page":100,"enable_safe_mode":true,"x":null,"tags":["a"]},"b":1.5}`), JSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(p), `{user:{per_page:100,enable_safe_mode:true,x:nil,tags:["a"]},b:1.5}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	for _, bad := range []string{`{`, `{"a":1} x`, `nope`, `{"a":}`, ``, strings.Repeat("[", 34) + strings.Repeat("]", 34)} {
		if _, err := ParseJSON([]byte(bad), JSONOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseJSON(%q) err = %v, want ErrInvalid", bad, err)
		}
	}
	if p, _ := ParseJSON([]byte(`[1]`), JSONOptions{}); dump(p) != `{_json:[1]}` {
		t.Errorf("array body = %s", dump(p))
	}
}

func TestDecodeJSONOptions(t *testing.T) {
	deep := func(n int) []byte { return []byte(strings.Repeat("[", n) + strings.Repeat("]", n)) }
	tests := []struct {
		name string
		body []byte
		opt  JSONOptions
		want string // "" for an error
	}{
		{"depth limit", deep(DepthLimit + 1), JSONOptions{}, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"},
		{"past depth limit", deep(DepthLimit + 2), JSONOptions{}, ""},
		{"raised limit", deep(65), JSONOptions{MaxDepth: 64}, strings.Repeat("[", 65) + strings.Repeat("]", 65)},
		{"past raised limit", deep(66), JSONOptions{MaxDepth: 64}, ""},
		{"clean keys and strings", []byte(`{"a\u0000":"b\u0000c","n":1}`), JSONOptions{Clean: func(s string) string { return strings.ReplaceAll(s, "\x00", "") }}, `{a:"bc",n:1}`},
		{"scalar", []byte(`"x"`), JSONOptions{}, `"x"`},
		{"repeated key keeps its place", []byte(`{"a":1,"b":2,"a":3}`), JSONOptions{}, `{a:3,b:2}`},
	}
	for _, tt := range tests {
		v, err := DecodeJSON(tt.body, tt.opt)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%s: got %s, want an error", tt.name, dump(v))
		case tt.want != "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && dump(v) != tt.want:
			t.Errorf("%s: got %s, want %s", tt.name, dump(v), tt.want)
		}
	}
}

func TestParseMultipart(t *testing.T) {
	part := func(name, file, value string) string {
		disp := `form-data; name="` + name + `"`
		if file != "" {
			disp += `; filename="` + file + `"`
		}
		return "--XX\r\nContent-Disposition: " + disp + "\r\n\r\n" + value + "\r\n"
	}
	tests := []struct {
		body, boundary, want string // want "" for an error
	}{
		{part("user[name]", "", "fox") + part("user[tags][]", "", "a") + part("avatar", "a.png", "PNG") + "--XX--\r\n", "XX", `{user:{name:"fox",tags:["a"]}}`},
		{part("a", "", "1") + "--XX--\r\n", "", ""},
		{part("a", "", "\xff") + "--XX--\r\n", "XX", ""},
		{part("a", "", "1") + part("a[b]", "", "2") + "--XX--\r\n", "XX", ""},
		{"--XX\r\nnot a header\r\n", "XX", ""},
	}
	for _, tt := range tests {
		p, err := ParseMultipart([]byte(tt.body), tt.boundary)
		switch {
		case tt.want == "" && !errors.Is(err, ErrInvalid):
			t.Errorf("ParseMultipart(%q) = %s, %v; want ErrInvalid", tt.body, dump(p), err)
		case tt.want != "" && err != nil:
			t.Errorf("ParseMultipart(%q): %v", tt.body, err)
		case tt.want != "" && dump(p) != tt.want:
			t.Errorf("ParseMultipart(%q) = %s, want %s", tt.body, dump(p), tt.want)
		}
	}
}

func TestHash(t *testing.T) {
	h, _ := ParseQuery("a=1&b[c]=2&d[]=x&e&f=+")
	tests := []struct {
		key          string
		text, pres   string
		isText, isPr bool
	}{
		{"a", "1", "1", true, true},
		{"b", "", "", false, false},
		{"d", "", "", false, false},
		{"e", "", "", false, false},
		{"f", " ", "", true, false},
		{"z", "", "", false, false},
	}
	for _, tt := range tests {
		if s, ok := h.Text(tt.key); s != tt.text || ok != tt.isText {
			t.Errorf("Text(%q) = %q, %v; want %q, %v", tt.key, s, ok, tt.text, tt.isText)
		}
		if s, ok := h.Present(tt.key); s != tt.pres || ok != tt.isPr {
			t.Errorf("Present(%q) = %q, %v; want %q, %v", tt.key, s, ok, tt.pres, tt.isPr)
		}
	}
	if got, want := dump(h.Sub("b")), `{c:"2"}`; got != want {
		t.Errorf("Sub(b) = %s, want %s", got, want)
	}
	if h.Sub("a") != nil || h.Sub("z") != nil {
		t.Error("Sub of a string or a missing key is not nil")
	}
	c := h.Clone()
	c.Del("a")
	c.Set("g", "3")
	c.Set("b", "4")
	if got, want := dump(c), `{b:"4",d:["x"],e:nil,f:" ",g:"3"}`; got != want {
		t.Errorf("clone = %s, want %s", got, want)
	}
	if got, want := dump(h), `{a:"1",b:{c:"2"},d:["x"],e:nil,f:" "}`; got != want {
		t.Errorf("original after clone edits = %s, want %s", got, want)
	}
	q, _ := ParseQuery("b=q&z=1")
	if got, want := dump(Merge(h, q)), `{a:"1",b:"q",d:["x"],e:nil,f:" ",z:"1"}`; got != want {
		t.Errorf("Merge = %s, want %s", got, want)
	}
	var none *Hash
	if none.Has("a") || none.Len() != 0 || none.Sub("a") != nil || dump(none.Clone()) != "{}" {
		t.Error("the nil hash is not empty")
	}
}

func TestBlank(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{nil, true},
		{"", true},
		{" \t\n\v\f\r", true},
		{"\u00a0\u3000\u2028", true}, // [[:space:]] is Unicode-aware
		{"\u200b", false},            // zero-width space is not White_Space
		{"x", false},
		{[]any{}, true},
		{[]any{""}, false},
		{NewHash(), true},
		{(*Hash)(nil), true},
		{false, true},
		{true, false},
		{json.Number("0"), false},
	}
	for _, tt := range tests {
		if got := Blank(tt.v); got != tt.want {
			t.Errorf("Blank(%#v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
