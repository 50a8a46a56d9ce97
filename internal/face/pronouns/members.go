package pronouns

import (
	"context"
	"net/http"
	"regexp"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// memberName is pronouns.cc's member name rule (backend db/member.go
// [R]): 1..100 characters, none of @ ? ! # / \ [ ] " { } ' $ % & ( ) + <
// = > ^ | ~ ` and comma, and not "." or "..".
var memberName = regexp.MustCompile("^[^@?!#/\\\\\\[\\]\"{}'$%&()+<=>^|~`,]{1,100}$")

func checkMemberName(name string) error {
	if name == "" {
		return badRequest("name: may not be empty")
	}
	if err := checkLength("name", name, 100); err != nil {
		return err
	}
	if !memberName.MatchString(name) || name == "." || name == ".." {
		return badRequest("name: member names may not contain @ ? ! # / \\ [ ] \" { } ' $ %% & ( ) + < = > ^ | ~ ` or commas, nor be . or ..")
	}
	return nil
}

// memberKeys are the keys POST and PATCH /members read.
var memberKeys = []string{"name", "display_name", "bio", "links", "names", "pronouns", "fields", "flags", "avatar", "unlisted"}

// parseMember reads a member body. create requires a name; an update
// without any key is 400 "Data must not be empty".
func parseMember(body []byte, create bool) (core.MemberInput, error) {
	var in core.MemberInput
	o, err := parseObject(body)
	if err != nil {
		return in, err
	}
	if !create && !o.has(memberKeys...) {
		return in, fail(codeBadRequest, "Data must not be empty")
	}
	p := core.Patch{}
	var name string
	if ok, err := o.get("name", &name); err != nil {
		return in, err
	} else if ok {
		if err := checkMemberName(name); err != nil {
			return in, err
		}
		p["name"] = name
	} else if create {
		return in, badRequest("name: is required")
	}
	for _, t := range []struct {
		key string
		max int
	}{{"display_name", 100}, {"bio", 1000}} {
		if err := o.optionalText(p, t.key, t.key, t.max); err != nil {
			return in, err
		}
	}
	if err := o.links(p); err != nil {
		return in, err
	}
	if err := o.entries(p); err != nil {
		return in, err
	}
	var unlisted bool
	if ok, err := o.get("unlisted", &unlisted); err != nil {
		return in, err
	} else if ok {
		p["unlisted"] = unlisted
	}
	if in.Flags, err = o.flagIDs(); err != nil {
		return in, err
	}
	if in.Avatar, err = o.avatar(); err != nil {
		return in, err
	}
	in.Fields = p
	return in, nil
}

// isOwner reports whether viewer owns m.
func isOwner(viewer *core.User, m *core.Member) bool { return viewer != nil && viewer.ID == m.UserID }

// memberFlags returns the flags of one member.
func (h *handler) memberFlags(ctx context.Context, m *core.Member) ([]*core.PrideFlag, error) {
	fs, err := h.svc.MemberFlags(ctx, []*core.Member{m})
	if err != nil {
		return nil, err
	}
	return fs[m.ID], nil
}

// writeMember renders a member with its owner u.
func (h *handler) writeMember(w http.ResponseWriter, r *http.Request, viewer *core.User, m *core.Member, u *core.User) {
	fs, err := h.memberFlags(r.Context(), m)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.write(w, memberValue(m, fs, u, isOwner(viewer, m)))
}

// writeMemberList renders GET /users/{ref}/members for u.
func (h *handler) writeMemberList(w http.ResponseWriter, r *http.Request, viewer, u *core.User) {
	ms, err := h.svc.Members(r.Context(), viewer, u)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	fs, err := h.svc.MemberFlags(r.Context(), ms)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	vs := make([]doc.Value, len(ms))
	for i, m := range ms {
		vs[i] = listMemberValue(m, fs[m.ID], isOwner(viewer, m))
	}
	h.write(w, doc.Array(vs...))
}

// handleUserMembers handles "GET /users/{ref}/members": a private list
// is 403 code 2002 to others (spec §8.6).
func (h *handler) handleUserMembers(w http.ResponseWriter, r *http.Request) {
	viewer := caller(r)
	u, err := h.findUser(r.Context(), viewer, r.PathValue("ref"))
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.writeMemberList(w, r, viewer, u)
}

// handleMyMembers handles "GET /users/@me/members".
func (h *handler) handleMyMembers(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMemberList(w, r, me, me)
}

// handleUserMember handles "GET /users/{ref}/members/{memberRef}": a
// member of that user by id or name.
func (h *handler) handleUserMember(w http.ResponseWriter, r *http.Request) {
	viewer := caller(r)
	u, err := h.findUser(r.Context(), viewer, r.PathValue("ref"))
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.userMember(w, r, viewer, u)
}

// handleMyMember handles "GET /users/@me/members/{memberRef}".
func (h *handler) handleMyMember(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.userMember(w, r, me, me)
}

func (h *handler) userMember(w http.ResponseWriter, r *http.Request, viewer, u *core.User) {
	m, err := h.svc.UserMember(r.Context(), viewer, u, r.PathValue("memberRef"))
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMember(w, r, viewer, m, u)
}

// handleMember handles "GET /members/{id}".
func (h *handler) handleMember(w http.ResponseWriter, r *http.Request) {
	viewer := caller(r)
	m, u, err := h.svc.Member(r.Context(), viewer, r.PathValue("id"))
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMember(w, r, viewer, m, u)
}

// handleMemberCreate handles "POST /members": 200 with the member.
func (h *handler) handleMemberCreate(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	in, err := parseMember(body, true)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	m, err := h.svc.CreateMember(r.Context(), me, in)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMember(w, r, me, m, me)
}

// handleMemberUpdate handles "PATCH /members/{id}", all or nothing.
func (h *handler) handleMemberUpdate(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	in, err := parseMember(body, false)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	m, err := h.svc.UpdateMember(r.Context(), me, r.PathValue("id"), in)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMember(w, r, me, m, me)
}

// handleMemberDelete handles "DELETE /members/{id}": 204, no body.
func (h *handler) handleMemberDelete(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	if err := h.svc.DeleteMember(r.Context(), me, r.PathValue("id")); err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleMemberReroll handles "GET /members/{id}/reroll": a GET that
// writes, under the owner's reroll cooldown (spec §8.5).
func (h *handler) handleMemberReroll(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err == nil {
		err = requireWrite(r)
	}
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	m, err := h.svc.RerollMemberSID(r.Context(), me, r.PathValue("id"))
	if err != nil {
		writeError(w, r, h.log, err, entMember)
		return
	}
	h.writeMember(w, r, me, m, me)
}
