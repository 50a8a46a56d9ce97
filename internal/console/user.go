package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/userlayout"
	"usersd/internal/query"
)

// fieldRow is one field of a user.
type fieldRow struct{ Name, Value string }

// fieldGroup is one group of the native user object.
type fieldGroup struct {
	Name, About string
	Rows        []fieldRow
}

// tokenRow is one API token of a user.
type tokenRow struct {
	*core.Token
	Revoke bool // the viewer may revoke it
}

// sessionRow is one cookie session of a user.
type sessionRow struct {
	*core.UserSession
	Revoke bool // the viewer may end it
}

// memberRow is one member (pronouns.cc's alter, plural system) of a user.
type memberRow struct {
	*core.Member
	Avatar string // the image's URL, "" without one or the media mount
}

// flagRow is one pride flag of a user.
type flagRow struct {
	*core.PrideFlag
	Image string // the image's URL, "" without the media mount
}

// previewRow is one face's anonymous view of the user.
type previewRow struct {
	FacePreview
	JSON bool // Body is indented JSON
}

// auditRow is one audit entry as the pages show it.
type auditRow struct {
	*core.AuditEntry
	Actor string
	Diff  []diffLine
	Raw   string // the diff as stored, for scripts reading the page
}

// userPage is the user page's data.
type userPage struct {
	User        *core.User
	Groups      []fieldGroup
	Names       []core.NameChange
	Tokens      []tokenRow
	TokenNote   string // why tokens are not listed
	Sessions    []sessionRow
	SessionNote string // why sessions are not listed
	Avatar      string // the avatar's URL ("" without the media mount)
	Members     []memberRow
	Flags       []flagRow
	Previews    []previewRow
	Audit       []auditRow
	AuditNote   string // why audit entries are not listed
	Actions     []action
	Done        string     // the action just done
	DoneAudit   []auditRow // its audit entries
	DoneNote    string
}

// userID parses the {id} path segment; a non-number names no user.
func userID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.NotFound, "No such user.")
	}
	return id, nil
}

// handleUser handles "GET /users/{id}": every field the viewer may see by
// group, the name history, API tokens, recent audit entries and the
// actions the viewer may take; after an action (done=REQUEST_ID) the
// entries that request wrote.
func (h *handler) handleUser(w http.ResponseWriter, r *http.Request) {
	ctx, viewer := r.Context(), me(r.Context()).user
	id, err := userID(r)
	var u *core.User
	if err == nil {
		u, err = h.face.GetUserByID(ctx, viewer, id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := userPage{User: u}
	for _, g := range userlayout.Groups {
		fg := fieldGroup{Name: g.Name, About: g.About}
		if fg.Name == "" {
			fg.Name = "account"
		}
		for _, name := range g.Fields {
			if f := core.FieldByName(name); u.ShowsField(f) {
				fg.Rows = append(fg.Rows, fieldRow{name, formatValue(f.Value(u))})
			}
		}
		if len(fg.Rows) > 0 {
			p.Groups = append(p.Groups, fg)
		}
	}
	if p.Names, err = h.face.NameHistory(ctx, viewer, id); err != nil {
		h.fail(w, r, err)
		return
	}
	toks, err := h.face.UserTokens(ctx, viewer, id)
	switch core.ErrorCode(err) {
	case -1:
		for _, t := range toks {
			p.Tokens = append(p.Tokens, tokenRow{Token: t, Revoke: true})
		}
	case core.Forbidden:
		p.TokenNote = "You may not manage this user's tokens."
	default:
		h.fail(w, r, err)
		return
	}
	sessions, err := h.face.UserSessions(ctx, viewer, id)
	switch core.ErrorCode(err) {
	case -1:
		for _, s := range sessions {
			p.Sessions = append(p.Sessions, sessionRow{UserSession: s, Revoke: true})
		}
	case core.Forbidden:
		p.SessionNote = "You may not manage this user's sessions."
	default:
		h.fail(w, r, err)
		return
	}
	if err := h.profileExtras(r, viewer, u, &p); err != nil {
		h.fail(w, r, err)
		return
	}
	about := &query.Cond{Field: "target_id", Op: query.Eq, Value: id}
	if p.Audit, p.AuditNote, err = h.audit(r, about, 20); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Actions = h.actions(r, viewer, u, len(p.Tokens))
	if rid := r.URL.Query().Get("done"); rid != "" {
		p.Done = actionLabel(r.URL.Query().Get("did"))
		// The entries this request of the viewer's wrote about the user:
		// the request id alone could be chosen by a client (X-Request-Id).
		f := query.And{about,
			&query.Cond{Field: "request_id", Op: query.Eq, Value: rid},
			&query.Cond{Field: "actor_id", Op: query.Eq, Value: viewer.ID}}
		if p.DoneAudit, p.DoneNote, err = h.audit(r, f, 5); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, http.StatusOK, "user", u.Name, "", p)
}

// audit lists the newest entries matching filter, or says why the viewer
// may not read them (the audit log is for admins).
func (h *handler) audit(r *http.Request, filter query.Expr, limit int) ([]auditRow, string, error) {
	page, err := h.face.ListAudit(r.Context(), me(r.Context()).user, core.AuditRequest{Filter: filter, Limit: limit})
	if core.ErrorCode(err) == core.Forbidden {
		return nil, core.AsError(err).Message, nil
	}
	if err != nil {
		return nil, "", err
	}
	out := make([]auditRow, len(page.Entries))
	for i, e := range page.Entries {
		out[i] = auditRow{AuditEntry: e, Actor: "—", Diff: readableDiff(e.Diff), Raw: string(e.Diff)}
		if e.ActorName != nil {
			out[i].Actor = *e.ActorName
		}
	}
	return out, "", nil
}

// profileExtras adds the avatar, members, pride flags and the faces'
// previews to a user page. Members and flags are read as the viewer may
// see them inside the user's profile (a private member list stays
// private to staff too, as on every face). Without a media mount the
// images show as their hashes only.
func (h *handler) profileExtras(r *http.Request, viewer, u *core.User, p *userPage) error {
	ctx, media := r.Context(), strings.TrimSuffix(h.opts.MediaPrefix, "/")
	if u.Avatar != nil && h.opts.MediaPrefix != "" {
		p.Avatar = media + "/users/" + u.XID + "/" + *u.Avatar + ".webp"
	}
	ms, err := h.face.ProfileMembers(ctx, viewer, u)
	if core.ErrorCode(err) == core.NotFound {
		ms, err = nil, nil // a deleted account owns no members any face shows
	}
	if err != nil {
		return err
	}
	for _, m := range ms {
		row := memberRow{Member: m}
		if m.Avatar != nil && h.opts.MediaPrefix != "" {
			row.Avatar = media + "/members/" + m.XID + "/" + *m.Avatar + ".webp"
		}
		p.Members = append(p.Members, row)
	}
	fs, err := h.face.ProfileFlags(ctx, viewer, u)
	if err != nil {
		return err
	}
	for _, f := range fs {
		row := flagRow{PrideFlag: f}
		if h.opts.MediaPrefix != "" {
			row.Image = media + "/flags/" + f.Hash + ".webp"
		}
		p.Flags = append(p.Flags, row)
	}
	if h.opts.Preview != nil {
		for _, fp := range h.opts.Preview(ctx, u) {
			row := previewRow{FacePreview: fp}
			var b bytes.Buffer
			if json.Indent(&b, []byte(fp.Body), "", "  ") == nil {
				row.Body, row.JSON = b.String(), true
			}
			p.Previews = append(p.Previews, row)
		}
	}
	return nil
}
