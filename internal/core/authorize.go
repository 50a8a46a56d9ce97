package core

import "context"

// Action is something an actor may do to an account.
type Action int

// Actions a face may ask about before it reads a request's parameters.
const (
	ActSignup   Action = iota // create an account (no target)
	ActUpdate                 // change an account's fields
	ActDelete                 // delete an account
	ActRestore                // undo a soft delete
	ActSetLevel               // change an account's level

	ActCreateToken // mint an API token for an account
	ActSetPassword // set an account's password without knowing the old one
	ActTokens      // list and revoke an account's API tokens (console_ops.go)

	ActImport // write users in bulk (Service.Import; no target)
	ActExport // read every user in bulk (Service.ExportUsers; no target)
	ActAudit  // read the audit log (Service.ListAudit; no target)

	ActWebhooks // manage webhooks and read their deliveries (no target)
)

// May says whether actor (nil: anonymous) may do a to target under the
// face's profile, as far as it can be told without the request's values:
// faces ask first when their system refuses before it reads parameters,
// and the action itself checks again, with the values. The errors carry
// the same Codes and Reasons as the actions.
func (f *Face) May(ctx context.Context, actor *User, a Action, target *User) error {
	return f.s.may(ctx, f.p, actor, a, target)
}

func (s *Service) may(ctx context.Context, p *Profile, actor *User, a Action, target *User) error {
	if actor == System {
		return nil
	}
	if a == ActSignup {
		switch {
		case p.Creates != nil:
			return s.mayCreate(ctx, p.Creates, actor)
		case p.SignupAnonymousOnly && actor != nil:
			return reasonf(Forbidden, ReasonSignedIn, "You are already signed in.")
		case (actor == nil || !actor.IsStaff()) && !s.Signup:
			return reasonf(Forbidden, ReasonSignupClosed, "Sign-up is closed.")
		}
		return nil
	}
	if actor == nil {
		return authRequired()
	}
	if a == ActTokens && isSelf(actor, target) {
		return nil // a banned user may still revoke their own tokens (standing.go)
	}
	if err := standing(actor, a, target); err != nil {
		return err
	}
	switch a {
	case ActUpdate:
		if lifted, err := s.grantedUpdater(ctx, p.Updates, actor, target, nil); err != nil {
			return err
		} else if lifted != actor {
			return nil
		}
		switch {
		case isSelf(actor, target):
			return nil
		case p.SelfEditsOnly:
			return reasonf(Forbidden, ReasonNotYours, "You may change only your own account here.")
		case !actor.IsStaff() || !outranks(actor, target):
			return reasonf(Forbidden, ReasonOutranked, "You may not change this user.")
		}
	case ActDelete:
		d := p.Deletion
		if d == nil {
			if !canDelete(actor, target) {
				return reasonf(Forbidden, ReasonOutranked, "You may not delete this user.")
			}
			return nil
		}
		return s.mayDelete(d, actor, target)
	case ActRestore:
		if !(actor.Level >= LevelAdmin && outranks(actor, target)) {
			return reasonf(Forbidden, ReasonOutranked, "You may not restore this user.")
		}
	case ActSetLevel:
		switch {
		case !actor.IsStaff():
			return levelDenied(ReasonFieldDenied)
		case isSelf(actor, target):
			return levelDenied(ReasonSelf)
		case !outranks(actor, target), p.StrictRank && target.Level >= actor.Level:
			return levelDenied(ReasonOutranked)
		}
	case ActCreateToken:
		if !isSelf(actor, target) {
			return Errorf(Forbidden, "You may manage only your own tokens.")
		}
	case ActSetPassword:
		// checkNewPassword enforces the same rule when the password comes.
		if !isSelf(actor, target) && !(actor.Level >= LevelAdmin && outranks(actor, target)) {
			return &Error{Code: Forbidden, Reason: ReasonFieldDenied, Message: "You may not change this password.",
				Fields: map[string]string{"password": "you may not change this field"}}
		}
	case ActTokens:
		return mayManageTokens(actor, target)
	case ActImport, ActExport:
		if actor.Level < LevelAdmin {
			what := map[Action]string{ActImport: "import", ActExport: "export"}[a]
			return Errorf(Forbidden, "Only admins may %s users.", what)
		}
	case ActAudit:
		if actor.Level < LevelAdmin {
			return Errorf(Forbidden, "Only admins may read the audit log.")
		}
	case ActWebhooks:
		if actor.Level < LevelAdmin {
			return Errorf(Forbidden, "Only admins may manage webhooks.")
		}
	}
	return nil
}

func levelDenied(reason string) *Error {
	return &Error{Code: Forbidden, Reason: reason, Message: "You may not change this level.",
		Fields: map[string]string{"level": "you may not change this field"}}
}
