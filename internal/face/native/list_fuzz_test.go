package native

import (
	"net/url"
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
)

// FuzzParseList: any query string of GET /v1/users either fails as an
// Invalid problem naming a parameter that was sent, or gives a request
// within the documented bounds whose filter prints and parses back.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{"", "limit=5&page=2", "filter=level+>%3D+20&sort=-level,name&total=true",
		"limit=0", "limit=1001", "page=100001", "limit=1000&page=101", "page=-1", "total=yes", "cursor=!!",
		"fields=id,profile.bio", "fields=password_hash", "x=1", "limit=1&limit=2", "filter=%28%28%28", "sort=a,b,c,d,e",
		"limit=9999999999999999999", "filter=" + url.QueryEscape(`name in ("a", "b") && !(id = 1)`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		req, _, err := parseList(q)
		if err != nil {
			e := core.AsError(err)
			if e.Code != core.Invalid {
				t.Fatalf("%q: %v is not Invalid", raw, err)
			}
			for name := range e.Fields {
				if _, sent := q[name]; !sent {
					t.Fatalf("%q: the problem names %q, which was not sent", raw, name)
				}
			}
			return
		}
		if req.Limit < 1 || req.Limit > query.MaxLimit || req.Offset < 0 || req.Offset > core.MaxOffset {
			t.Fatalf("%q: limit %d, offset %d out of bounds", raw, req.Limit, req.Offset)
		}
		if len(req.Order) > query.MaxOrderFields {
			t.Fatalf("%q: %d sort keys", raw, len(req.Order))
		}
		if req.Filter != nil {
			if _, err := query.Parse(query.String(req.Filter)); err != nil {
				t.Fatalf("%q: the filter prints as %q, which does not parse: %v", raw, query.String(req.Filter), err)
			}
		}
	})
}
