package core

// The standing rule: what an account's standing lets it do, the same on
// every face. Faces keep their own wire shapes for a refusal, not their
// own rules.
//
//   - Inactive and deleted accounts cannot authenticate at all: passwords
//     and tokens are refused (User.CanAuthenticate), so they never act.
//   - A banned account may authenticate, except on faces whose system
//     locks banned accounts out (Profile.BannedLocked, an authentication
//     rule: e621's blocked users). It may read what anyone may read, and
//     its own account; a ban takes away staff powers (IsStaff and admin
//     audiences exclude banned users), so a banned moderator reads and
//     searches as a member does.
//   - A banned account may not change anything: not its profile, settings,
//     password or name (ActUpdate), not mint API tokens
//     (ActCreateToken), not delete itself (ReasonBannedMayNotLeave, as
//     Danbooru says it), and not act on any other account (update, delete,
//     restore, set a level). It may still list and revoke its own tokens
//     and sign out, which only take its own access away.
//   - Sign-up is not an act of the caller's account: a banned caller signs
//     up as an anonymous visitor would (and a face that refuses signed-in
//     sign-ups refuses it as such).
//
// Upstream Danbooru lets banned users edit their settings; usersd does not
// (internal/face/danbooru/doc.go records it).

// standing refuses actions the actor's standing does not allow, before
// any rule of the face or of the action. System and anonymous callers
// have no standing; the caller's own checks handle them.
func standing(actor *User, a Action, target *User) error {
	if actor == nil || actor == System || a == ActSignup {
		return nil
	}
	if !actor.CanAuthenticate() {
		return reasonf(Unauthenticated, ReasonUserInactive, "This account is disabled.")
	}
	if !actor.Banned {
		return nil
	}
	if a == ActDelete && isSelf(actor, target) {
		return reasonf(Forbidden, ReasonBannedMayNotLeave, "You cannot delete your account if you are banned.")
	}
	return bannedErr()
}

func bannedErr() *Error {
	return reasonf(Forbidden, ReasonUserBanned, "Your account is banned; it may not change anything.")
}
