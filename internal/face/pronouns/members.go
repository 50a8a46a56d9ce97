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

// memberValue renders a member with its owner u.
func (h *handler) memberValue(ctx context.Context, viewer *core.User, m *core.Member, u *core.User) (doc.Value, error) {
	fs, err := h.svc.MemberFlags(ctx, []*core.Member{m})
	if err != nil {
		return doc.Value{}, err
	}
	return memberValue(m, fs[m.ID], u, isOwner(viewer, m)), nil
}

// memberList renders GET /users/{ref}/members for u: a private list is
// 403 code 2002 to others (spec §8.6).
func (h *handler) memberList(ctx context.Context, viewer, u *core.User) (doc.Value, error) {
	ms, err := h.svc.Members(ctx, viewer, u)
	if err != nil {
		return doc.Value{}, err
	}
	fs, err := h.svc.MemberFlags(ctx, ms)
	if err != nil {
		return doc.Value{}, err
	}
	vs := make([]doc.Value, len(ms))
	for i, m := range ms {
		vs[i] = listMemberValue(m, fs[m.ID], isOwner(viewer, m))
	}
	return doc.Array(vs...), nil
}

// pathUser is the {ref} user of a /users/{ref}/members route, or the
// caller for /users/@me/members; either way the viewer comes too.
func (h *handler) pathUser(r *http.Request) (viewer, u *core.User, err error) {
	ref := r.PathValue("ref")
	if ref == "" {
		me, err := requireCaller(r)
		return me, me, err
	}
	viewer = caller(r)
	u, err = h.findUser(r.Context(), viewer, ref)
	return viewer, u, about(entUser, err)
}

// handleMembers handles "GET /users/{ref}/members" and
// "GET /users/@me/members".
func (h *handler) handleMembers(r *http.Request) (doc.Value, error) {
	viewer, u, err := h.pathUser(r)
	if err != nil {
		return doc.Value{}, err
	}
	return h.memberList(r.Context(), viewer, u)
}

// handleUserMember handles "GET /users/{ref}/members/{memberRef}" and
// "GET /users/@me/members/{memberRef}": a member of that user by id or
// name.
func (h *handler) handleUserMember(r *http.Request) (doc.Value, error) {
	viewer, u, err := h.pathUser(r)
	if err != nil {
		return doc.Value{}, err
	}
	m, err := h.svc.UserMember(r.Context(), viewer, u, r.PathValue("memberRef"))
	if err != nil {
		return doc.Value{}, err
	}
	return h.memberValue(r.Context(), viewer, m, u)
}

// handleMember handles "GET /members/{id}".
func (h *handler) handleMember(r *http.Request) (doc.Value, error) {
	viewer := caller(r)
	m, u, err := h.svc.Member(r.Context(), viewer, r.PathValue("id"))
	if err != nil {
		return doc.Value{}, err
	}
	return h.memberValue(r.Context(), viewer, m, u)
}

// handleMemberCreate handles "POST /members" (PATCH /members/{id} when
// update): 200 with the member, all or nothing.
func (h *handler) handleMemberWrite(update bool) handlerFunc {
	return func(r *http.Request) (doc.Value, error) {
		me, body, err := callerAndBody(r)
		if err != nil {
			return doc.Value{}, err
		}
		in, err := parseMember(body, !update)
		if err != nil {
			return doc.Value{}, err
		}
		var m *core.Member
		if update {
			m, err = h.svc.UpdateMember(r.Context(), me, r.PathValue("id"), in)
		} else {
			m, err = h.svc.CreateMember(r.Context(), me, in)
		}
		if err != nil {
			return doc.Value{}, err
		}
		return h.memberValue(r.Context(), me, m, me)
	}
}

// handleMemberDelete handles "DELETE /members/{id}": 204, no body.
func (h *handler) handleMemberDelete(r *http.Request) (doc.Value, error) {
	me, err := requireCaller(r)
	if err != nil {
		return doc.Value{}, err
	}
	return noContent, h.svc.DeleteMember(r.Context(), me, r.PathValue("id"))
}

// handleMemberReroll handles "GET /members/{id}/reroll": a GET that
// writes, under the owner's reroll cooldown (spec §8.5).
func (h *handler) handleMemberReroll(r *http.Request) (doc.Value, error) {
	me, err := requireWriter(r)
	if err != nil {
		return doc.Value{}, err
	}
	m, err := h.svc.RerollMemberSID(r.Context(), me, r.PathValue("id"))
	if err != nil {
		return doc.Value{}, err
	}
	return h.memberValue(r.Context(), me, m, me)
}
