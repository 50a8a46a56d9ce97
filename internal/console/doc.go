// Package console is the admin web console: server-rendered HTML pages
// for staff (moderator and above) to find users, read everything about
// one, and change their standing, each change through the core's policy
// and audited under the face "console"; and for admins, the audit log
// and the webhooks with their delivery logs. It has no build step and loads
// nothing from elsewhere: html/template pages and one CSS file, embedded.
//
// Files:
//
//	console.go   Options, the console's profile, NewHandler and the routes
//	session.go   sign-in, sign-out, the session cookie and its bounds
//	csrf.go      the per-session form token and cross-origin refusal
//	render.go    templates, the page frame, errors and value formatting
//	users.go     the users table: filter, builder, sort, columns, paging
//	user.go      one user: fields by group, names, tokens, audit entries
//	actions.go   the actions on a user, their confirmation and result
//	dashboard.go sign-ups per day as an inline SVG chart
//	audit.go     the audit log (admins): filter, builder, readable diffs
//	webhooks.go  webhooks (admins): register, settings, test, rotate,
//	             delete, the delivery log and retries
//	templates/   the pages (parts/: what several share); static/ the style sheet
package console
