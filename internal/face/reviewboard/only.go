package reviewboard

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"usersd/internal/face/doc"
)

// only is one of djblets' "only" parameters (only-fields, only-links):
// absent (all), empty (none) or a comma-separated list of names.
type only struct {
	set   bool
	names []string
}

func readOnly(q url.Values, key string) only {
	if vs, ok := q[key]; ok {
		o := only{set: true}
		if v := vs[len(vs)-1]; v != "" {
			o.names = strings.Split(v, ",")
		}
		return o
	}
	return only{}
}

func (o only) keeps(name string) bool { return !o.set || slices.Contains(o.names, name) }

// trim applies only-fields and only-links to an item (base.py
// serialize_object): fields outside only-fields go, "links" is no field
// and stays unless only-links is given, which keeps the named links and
// drops the key when empty. Hidden fields are absent already, so neither
// can reveal one.
func (rq *request) trim(item *doc.Object, links *doc.Object) *doc.Object {
	out := doc.NewObject()
	for _, f := range item.Fields() {
		if rq.onlyFields.keeps(f.Key) {
			out.Add(f.Key, f.Value)
		}
	}
	if rq.onlyLinks.set && len(rq.onlyLinks.names) == 0 {
		return out
	}
	kept := doc.NewObject()
	for _, f := range links.Fields() {
		if rq.onlyLinks.keeps(f.Key) {
			kept.Add(f.Key, f.Value)
		}
	}
	out.Add("links", doc.Obj(kept))
	return out
}

// callbackRE is what a JSONP callback may be: a dotted JavaScript name.
// djblets wraps the body in any callback text; a name is all a script
// needs, and nothing else then reaches the body unescaped.
var callbackRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]{0,127}$`)

// jsonp wraps body in ?callback= (responses.py); a callback that is no
// JavaScript name is ignored (doc.go).
func (rq *request) jsonp(body []byte) []byte {
	cb := get(rq.q, "callback")
	if cb == "" || !callbackRE.MatchString(cb) {
		return body
	}
	out := make([]byte, 0, len(cb)+len(body)+3)
	out = append(out, cb...)
	out = append(out, '(')
	out = append(out, body...)
	return append(out, ')', ';')
}
