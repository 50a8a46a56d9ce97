package pronouns

import (
	"context"
	"net/http"

	"usersd/internal/core"
	"usersd/internal/face/doc"
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

// userValue renders u as viewer sees it.
func (h *handler) userValue(ctx context.Context, viewer, u *core.User) (doc.Value, error) {
	v, err := h.userDoc(ctx, viewer, u)
	if err != nil {
		return doc.Value{}, err
	}
	return userValue(v), nil
}

// handleUser handles "GET /users/{ref}".
func (h *handler) handleUser(r *http.Request) (doc.Value, error) {
	viewer := caller(r)
	u, err := h.findUser(r.Context(), viewer, r.PathValue("ref"))
	if err != nil {
		return doc.Value{}, err
	}
	return h.userValue(r.Context(), viewer, u)
}

// handleMe handles "GET /users/@me".
func (h *handler) handleMe(r *http.Request) (doc.Value, error) {
	me, err := requireCaller(r)
	if err != nil {
		return doc.Value{}, err
	}
	return h.userValue(r.Context(), me, me)
}

// handleMeUpdate handles "PATCH /users/@me": every change in one core
// update, so a 400 on any field changes nothing (spec §8.3, §11.18).
func (h *handler) handleMeUpdate(r *http.Request) (doc.Value, error) {
	me, body, err := callerAndBody(r)
	if err != nil {
		return doc.Value{}, err
	}
	up, err := parseUserPatch(body, me)
	if err != nil {
		return doc.Value{}, err
	}
	u := me
	if !emptyUpdate(up) {
		if u, err = h.svc.UpdateUser(r.Context(), me, me.ID, up); err != nil {
			return doc.Value{}, err
		}
	}
	return h.userValue(r.Context(), u, u)
}

// handleReroll handles "GET /users/@me/reroll": a GET that writes, so a
// read-only token is refused (spec §8.5).
func (h *handler) handleReroll(r *http.Request) (doc.Value, error) {
	me, err := requireWriter(r)
	if err != nil {
		return doc.Value{}, err
	}
	u, err := h.svc.RerollSID(r.Context(), me)
	if err != nil {
		return doc.Value{}, err
	}
	return h.userValue(r.Context(), u, u)
}
