package console

import (
	"bytes"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// pages are the parsed templates by name: each page file with the frame
// and the parts pages share (templates/parts/).
type pages map[string]*template.Template

var funcs = template.FuncMap{
	"value":     formatValue,
	"time":      formatTime,
	"levelName": levelName,
}

func parsePages() pages {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := pages{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "frame" {
			continue
		}
		out[name] = template.Must(template.New("frame.html").Funcs(funcs).ParseFS(files, "templates/frame.html", "templates/parts/*.html", n))
	}
	return out
}

// frame is what every page shows around its content.
type frame struct {
	Title   string
	Base    string // the console's path prefix
	Me      *core.User
	CSRF    string // the session's form token
	Problem string // an error to show above the content
	// Audit and Webhooks show those pages' links: the viewer is let read
	// the audit log and manage webhooks (admins).
	Audit, Webhooks bool
	Data            any
}

// render writes page name with data inside the frame.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name, title, problem string, data any) {
	f := frame{Title: title, Base: base(r), Problem: problem, Data: data}
	if s := me(r.Context()); s != nil {
		f.Me, f.CSRF = s.user, s.csrf
		f.Audit = h.face.May(r.Context(), s.user, core.ActAudit, nil) == nil
		f.Webhooks = h.face.May(r.Context(), s.user, core.ActWebhooks, nil) == nil
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, f); err != nil {
		h.log.Error("console template", "page", name, "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	httpx.Raw(w, status, "text/html; charset=utf-8", buf.Bytes())
}

// problemText is an error as a page shows it: the core's safe message
// and its per-field problems.
func problemText(err error) string {
	e := core.AsError(err)
	msg := e.Message
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			msg += " " + k + ": " + e.Fields[k] + "."
		}
	}
	return msg
}

// fail answers err with the error page; internal errors are logged once,
// here, and never shown.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := core.ErrorCode(err)
	if code == core.Internal {
		h.log.Error("console", "err", err, "path", r.URL.Path, "request_id", httpx.RequestID(r.Context()))
	}
	status := httpx.Status(code)
	h.render(w, r, status, "error", http.StatusText(status), problemText(err), nil)
}

// formatValue renders a field's value for a page: "—" for none.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	case time.Time:
		return formatTime(x)
	case json.RawMessage:
		return string(x)
	case netip.Addr:
		if !x.IsValid() {
			return "—"
		}
		return x.String()
	case interface{ String() string }:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// formatTime renders a time in UTC to the second.
func formatTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05Z")
	case *time.Time:
		if t == nil {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
	return "—"
}

// levels are Danbooru's level names (DESIGN.md), for selects and cells.
var levels = []struct {
	N    int
	Name string
}{
	{core.LevelRestricted, "restricted"}, {core.LevelMember, "member"}, {core.LevelGold, "gold"},
	{core.LevelPlatinum, "platinum"}, {core.LevelBuilder, "builder"}, {core.LevelContributor, "contributor"},
	{core.LevelApprover, "approver"}, {core.LevelModerator, "moderator"}, {core.LevelAdmin, "admin"},
	{core.LevelOwner, "owner"},
}

func levelName(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	}
	for _, l := range levels {
		if int64(l.N) == v {
			return l.Name
		}
	}
	return ""
}
