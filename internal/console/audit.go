package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/filterparam"
	"usersd/internal/query"
)

// auditPageSize is how many entries a page of the audit log shows.
const auditPageSize = 50

// auditFaces are the faces the builder suggests; the field takes any.
var auditFaces = []string{"native", "danbooru", "e621", "pronouns", "reviewboard", "drf", "console", "cli", "import", "system"}

// diffLine is one field of an audit entry's diff, as a page shows it.
type diffLine struct {
	Field    string
	Old, New string // "—" when that side is absent or null
	Changed  bool   // a secret: only that it changed
	Value    string // not a change: what the entry says of the field
}

// logRow is one entry of the audit log page.
type logRow struct {
	*core.AuditEntry
	Actor, Target string
	Diff          []diffLine
}

// auditLogPage is the audit log page's data.
type auditLogPage struct {
	Filter, Action, Face, Target string
	Actions, Faces               []string
	Rows                         []logRow
	NextLink, FirstLink          string
}

// admin lets through only callers the core lets do act (the audit log,
// webhooks: admins); others get the 403 page before any form is read.
func (h *handler) admin(act core.Action, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.face.May(r.Context(), me(r.Context()).user, act, nil); err != nil {
			h.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleAudit handles "GET /audit": the audit log, newest first, by the
// native filter language, with a builder for action, face and target.
func (h *handler) handleAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("add") != "" {
		filter, err := auditBuild(q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		http.Redirect(w, r, base(r)+"/audit?"+url.Values{"filter": {filter}}.Encode(), http.StatusSeeOther)
		return
	}
	p := auditLogPage{Filter: q.Get("filter"), Actions: core.AuditActions, Faces: auditFaces}
	in := core.AuditRequest{Limit: auditPageSize, Cursor: q.Get("cursor")}
	keep := url.Values{"filter": {p.Filter}} // what the page links keep
	var err error
	if s := q.Get("limit"); s != "" {
		// Not offered by the form; a URL may ask for longer or shorter pages.
		if in.Limit, err = strconv.Atoi(s); err != nil || in.Limit < 1 || in.Limit > query.MaxLimit {
			h.fail(w, r, core.FieldError("limit", fmt.Sprintf("must be an integer from 1 to %d", query.MaxLimit)))
			return
		}
		keep.Set("limit", s)
	}
	var page *core.AuditPage
	if in.Filter, err = filterparam.Parse(strings.TrimSpace(p.Filter)); err == nil {
		page, err = h.face.ListAudit(r.Context(), me(r.Context()).user, in)
	}
	problem, status := "", http.StatusOK
	if err != nil {
		if core.ErrorCode(err) != core.Invalid {
			h.fail(w, r, err)
			return
		}
		problem, status = problemText(err), http.StatusBadRequest
		page = &core.AuditPage{}
	}
	for _, e := range page.Entries {
		row := logRow{AuditEntry: e, Actor: "—", Diff: readableDiff(e.Diff)}
		if e.ActorName != nil {
			row.Actor = *e.ActorName
		}
		if e.TargetName != nil {
			row.Target = *e.TargetName
		} else if e.TargetID != nil {
			row.Target = "#" + strconv.FormatInt(*e.TargetID, 10)
		}
		p.Rows = append(p.Rows, row)
	}
	if in.Cursor != "" {
		p.FirstLink = base(r) + "/audit?" + keep.Encode()
	}
	if page.NextCursor != "" {
		keep.Set("cursor", page.NextCursor)
		p.NextLink = base(r) + "/audit?" + keep.Encode()
	}
	h.render(w, r, status, "audit", "Audit log", problem, p)
}

// auditBuild joins the builder's conditions (action, face, target id) to
// the filter with &&, written by the filter language's own printer.
func auditBuild(q url.Values) (string, error) {
	filter := q.Get("filter")
	if a := q.Get("action"); a != "" {
		if !slices.Contains(core.AuditActions, a) {
			return "", core.FieldError("action", "is not an audit action")
		}
		filter = andCond(filter, &query.Cond{Field: "action", Op: query.Eq, Value: a})
	}
	if f := strings.TrimSpace(q.Get("face")); f != "" {
		filter = andCond(filter, &query.Cond{Field: "face", Op: query.Eq, Value: f})
	}
	if t := strings.TrimSpace(q.Get("target")); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil || id < 1 {
			return "", core.FieldError("target", "must be a user id")
		}
		filter = andCond(filter, &query.Cond{Field: "target_id", Op: query.Eq, Value: id})
	}
	return filter, nil
}

// readableDiff is an entry's diff field by field: old → new, a secret
// as changed, anything else as its value.
func readableDiff(raw json.RawMessage) []diffLine {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		if len(raw) == 0 {
			return nil
		}
		return []diffLine{{Field: "diff", Value: string(raw)}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]diffLine, 0, len(keys))
	for _, k := range keys {
		line := diffLine{Field: k}
		var side map[string]json.RawMessage
		if json.Unmarshal(m[k], &side) == nil && isChange(side) {
			old, hasOld := side["old"]
			nw, hasNew := side["new"]
			switch {
			case string(side["changed"]) == "true" && !hasOld && !hasNew:
				line.Changed = true
			default:
				line.Old, line.New = jsonText(old), jsonText(nw)
			}
		} else {
			if line.Value = jsonText(m[k]); line.Value == "" {
				line.Value = `""`
			}
		}
		out = append(out, line)
	}
	return out
}

// isChange says whether an object is a field's change: only old, new or
// changed in it.
func isChange(m map[string]json.RawMessage) bool {
	if len(m) == 0 {
		return false
	}
	for k := range m {
		if k != "old" && k != "new" && k != "changed" {
			return false
		}
	}
	return true
}

// jsonText renders a JSON value for a cell: a string as itself, null or
// nothing as "—", anything else as compact JSON.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "—"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}
