package danbooru

import (
	"testing"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/query"
)

// FuzzSearch feeds query strings through the parameter parser, the search
// compiler, the page parser and the renderer: none may panic, and every
// compiled filter must print.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{
		"search[name]=miku*&search[level]=20,30&limit=5&page=b100",            // common
		"search[id]=5,7..9,>20&search[order]=custom",                          // union, custom order
		"search[created_at]=<1w&search[updated_at]=2024-01-01..2024-02-01",    // ages and dates
		"search[inviter][inviter][name_matches]=a\\*b*&search[has_inviter]=t", // nesting
		"search[name_array][]=a&search[name_array][]=b&search[name_lower_space]=A B",
		"search[is_deleted]=maybe",                                   // error
		"search[id]=0x1_0&search[id_not]=abc&search[level_gt]=+-",    // odd numbers
		"search[created_at]=1d12h&search[created_at_lt]=Jan 2, 2024", // durations
		"search[any_name_matches]=x&search[name_or_past_name_matches]=y",
		"search[a][][b]=1&search[a][][c]=2", // arrays of hashes
		"search[id]=..&search[id]=...&search[id]=,",
		"only=id,inviter[id,inviter[id]],bans&page=a9999999999999999999999",
		"search[%zz]=1",    // bad escape
		"search[[[]]=1&]]", // odd brackets
		"search[created_at]=99999999999999999999y",
		"limit=-5&page=-3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseQuery(raw)
		if err != nil {
			return
		}
		s := p.sub("search")
		if s == nil {
			s = newParams()
		}
		for _, viewer := range []*core.User{nil, {ID: 2, Level: 20}, {ID: 3, Level: 50}} {
			c := testCompiler(viewer, 1)
			comp, err := c.compile(s)
			if err == nil {
				_ = query.String(comp.filter)
			}
			_, _ = parsePage(p, viewer)
			rd := newRenderer(viewer)
			only, _ := p.str("only")
			o := rd.user(testUser(), userOptions{only: parseOnly(only), hasOnly: p.has("only"), show: true})
			rd.json.Marshal(doc.Obj(o))
			rd.xml.Document("user", doc.Obj(o))
		}
	})
}

// FuzzRange checks the number syntax on any text.
func FuzzRange(f *testing.F) {
	for _, seed := range []string{"5", ">=5", "5..", "..5", "1...3", "1,2", "1 2", "5,>7", "any", "none", "0b1_0", "1..2..3", "\n5..6"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e, ok := parseRange(s, kindInteger, intValue64, nil); ok {
			_ = query.String(rangeCond("id", e))
		}
		_, _ = parseDuration(s)
		_ = checkName(s, false)
		_, _ = likePattern(s)
		_ = normalizeBlacklist(s)
		_ = cssValid(s)
		_, _ = jsonParams([]byte(s))
	})
}
