package pronouns

import (
	"context"
	"net/http"

	"usersd/internal/core"
)

// findUser resolves GET /users/{ref} (spec §8.1): an xid-shaped ref
// that names a user wins, else the ref is a name; short ids never match.
// Deleted users are not found, for staff neither (§9).
func (h *handler) findUser(ctx context.Context, viewer *core.User, ref string) (*core.User, error) {
	u, err := h.svc.GetUserByXID(ctx, viewer, ref)
	if core.ErrorCode(err) == core.NotFound {
		u, err = h.svc.GetUserByName(ctx, viewer, ref)
	}
	if err == nil && u.Deleted {
		return nil, fail(codeUserNotFound, "")
	}
	return u, err
}

// userDoc gathers what a user object shows besides the user's own
// columns: profile flags, members and, for the owner, linked accounts.
func (h *handler) userDoc(ctx context.Context, viewer, u *core.User) (userView, error) {
	v := userView{user: u, now: h.svc.Now()}
	var err error
	if v.flags, err = h.svc.ProfileFlags(ctx, viewer, u); err != nil {
		return v, err
	}
	if v.members, err = h.svc.ProfileMembers(ctx, viewer, u); err != nil {
		return v, err
	}
	if ownerView(u) {
		if v.linked, err = h.svc.LinkedAccounts(ctx, viewer, u); err != nil {
			return v, err
		}
	}
	return v, nil
}

// writeUser renders u as viewer sees it.
func (h *handler) writeUser(w http.ResponseWriter, r *http.Request, viewer, u *core.User) {
	v, err := h.userDoc(r.Context(), viewer, u)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.write(w, userValue(v))
}

// handleUser handles "GET /users/{ref}".
func (h *handler) handleUser(w http.ResponseWriter, r *http.Request) {
	viewer := caller(r)
	u, err := h.findUser(r.Context(), viewer, r.PathValue("ref"))
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.writeUser(w, r, viewer, u)
}

// handleMe handles "GET /users/@me".
func (h *handler) handleMe(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.writeUser(w, r, me, me)
}

// handleMeUpdate handles "PATCH /users/@me": every change in one core
// update, so a 400 on any field changes nothing (spec §8.3, §11.18).
func (h *handler) handleMeUpdate(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	up, err := parseUserPatch(body, me)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	u := me
	if !emptyUpdate(up) {
		if u, err = h.svc.UpdateUser(r.Context(), me, me.ID, up); err != nil {
			writeError(w, r, h.log, err, entUser)
			return
		}
	}
	h.writeUser(w, r, u, u)
}

// handleReroll handles "GET /users/@me/reroll": a GET that writes, so a
// read-only token is refused (spec §8.5).
func (h *handler) handleReroll(w http.ResponseWriter, r *http.Request) {
	me, err := requireCaller(r)
	if err == nil {
		err = requireWrite(r)
	}
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	u, err := h.svc.RerollSID(r.Context(), me)
	if err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.writeUser(w, r, u, u)
}
