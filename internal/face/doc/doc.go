// Package doc is the faces' ordered document: objects whose keys keep
// the order a serializer gave them, holding typed values (null, integer,
// boolean, string, time, float, raw JSON, object, array). One document
// renders to JSON (Rails' to_json, Python's json.dumps, the native API)
// or to XML in a Style: Rails' to_xml (dasherized keys, type attributes,
// nil="true") or Review Board's plain elements.
//
// A face builds the document from its wire shape and picks the
// renderer's options; what a dialect means by a value (which Rails
// column type an attribute has, how a time is formatted) stays in the
// face.
package doc

import "time"

// Kind is the type of a Value.
type Kind uint8

// Kinds of values.
const (
	KindNull Kind = iota
	KindInt
	KindBool
	KindString
	KindTime
	KindFloat // JSON has no Infinity or NaN: they render as null
	KindRaw   // JSON text, written as it is
	KindObject
	KindArray
)

// Value is one typed value of a document. The zero Value is null.
type Value struct {
	kind  Kind
	i     int64
	b     bool
	s     string
	t     time.Time
	f     float64
	obj   *Object
	arr   []Value
	xtype string // the XML type attribute, when typed
	typed bool
}

// Null is JSON null, Ruby nil, Python None.
func Null() Value { return Value{} }

// Int is an integer.
func Int(n int64) Value { return Value{kind: KindInt, i: n} }

// Bool is a boolean.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// String is a string.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Time is an instant; the renderer's Time option formats it.
func Time(t time.Time) Value { return Value{kind: KindTime, t: t} }

// Float is a floating-point number, Infinity and NaN included.
func Float(f float64) Value { return Value{kind: KindFloat, f: f} }

// Raw is already encoded JSON (a stored JSON column); empty text is null.
// XML renders its text as a string.
func Raw(json []byte) Value {
	if len(json) == 0 {
		return Null()
	}
	return Value{kind: KindRaw, s: string(json)}
}

// Obj is a nested object; a nil object is null.
func Obj(o *Object) Value {
	if o == nil {
		return Null()
	}
	return Value{kind: KindObject, obj: o}
}

// Array is a list of values.
func Array(items ...Value) Value { return Value{kind: KindArray, arr: items} }

// StringOrNull is the string *p, or null for nil.
func StringOrNull(p *string) Value {
	if p == nil {
		return Null()
	}
	return String(*p)
}

// IntOrNull is the integer *p, or null for nil.
func IntOrNull(p *int64) Value {
	if p == nil {
		return Null()
	}
	return Int(*p)
}

// TimeOrNull is the instant *p, or null for nil.
func TimeOrNull(p *time.Time) Value {
	if p == nil {
		return Null()
	}
	return Time(*p)
}

// Typed fixes the XML type attribute of v ("" for none), overriding the
// one a typed Style derives from the kind. Rails' to_xml types a column
// by the column (an integer-backed enum shows its label with
// type="integer", a null integer column keeps type="integer"), which only
// the face knows.
func (v Value) Typed(xmlType string) Value {
	v.xtype, v.typed = xmlType, true
	return v
}

// Kind is v's kind.
func (v Value) Kind() Kind { return v.kind }

// Object is an ordered set of keys and values. The zero Object is empty
// and ready to use.
type Object struct {
	fields []Field
	seen   map[string]struct{}
}

// Field is one key and its value.
type Field struct {
	Key   string
	Value Value
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{} }

// Add appends key with v. A key added again keeps its first position and
// value, as e621's attribute list and Ruby's Hash#merge of a repeated
// method name do.
func (o *Object) Add(key string, v Value) {
	if o.seen == nil {
		o.seen = map[string]struct{}{}
	}
	if _, dup := o.seen[key]; dup {
		return
	}
	o.seen[key] = struct{}{}
	o.fields = append(o.fields, Field{key, v})
}

// Fields returns the fields in order; the caller must not modify them.
func (o *Object) Fields() []Field { return o.fields }

// Len is the number of fields.
func (o *Object) Len() int { return len(o.fields) }
