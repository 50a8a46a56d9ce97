// Package danbooru serves Danbooru's users API (spec/danbooru.md) over the
// usersd core, so that Danbooru API clients work against usersd unchanged.
//
// Routes (routes.go): GET/POST /users, GET/PUT/PATCH/DELETE /users/{id},
// GET /profile, PUT/PATCH /admin/users/{id}, and the legacy
// GET /user/show/{id}, each with an optional .json or .xml extension. The
// request-wide rules run in upstream's before_action order: the GET-body
// check (400), API authentication (401/403), the blank-search redirect
// (302), cause_error, then the format check (406).
//
// Files: auth.go (login/api_key and HTTP Basic), params.go (the face's
// view of railsparams' Rack parameters and which bodies it reads),
// users.go's readParams (ParamsWrapper), search.go (the
// search[…] language compiled to the query AST), syntax.go (RangeParser,
// DurationParser, LIKE escaping), page.go (PaginationExtension's limits
// over the kit's paging), wire.go (the serializers, as face/doc
// documents), errors.go (§8), users.go and settings.go (the actions),
// names.go (UserNameValidator). The face kit supplies Basic decoding
// (authscheme), Ruby's to_i and Integer() (ruby), the mount prefix
// (httpx.Mount) and the JSON/XML writers (doc).
//
// # Choices where the spec leaves one
//
//   - search[is_deleted] with a value neither truthy nor falsy, and search
//     hashes nested deeper than 10 levels, answer 422 with the generic body
//     (error "ArgumentError"), not upstream's 500. An invalid
//     search[name_regex] answers 422 "ActiveRecord::StatementInvalid"
//     (upstream: 500). A database timeout is upstream's 500
//     "ActiveRecord::QueryCanceled". A search over the core's cost budget
//     (too many name_matches, regex or like patterns) is 422 "ArgumentError"
//     naming the limit; too many costly searches at once is 503
//     "ActiveRecord::ConnectionTimeoutError" with Retry-After. An integer
//     beyond its column (search[level]=99999999999) compares as the number
//     it is: nothing is greater, everything smaller.
//   - A refused account deletion (wrong password, moderator or banned
//     self-deletion, the Owner deleting a Gold+ account) redirects 302 to
//     /users/{id}/deactivate as upstream does (spec §14.34); the reason is
//     logged, not returned. The password spends the account's failed-login
//     limit: past it, every confirmation is a 429 RateLimiter error.
//   - A sign-up without user[name] (or without a user hash) is read as an
//     empty name: 422 {"errors":{"name":["must be more than 1 character
//     long"]}} (upstream crashes with 500). A missing password is "too
//     short". Passwords over the core's 1024-byte limit are a 422 on
//     password.
//   - No CSRF check: this face has no cookie sessions, so an anonymous POST
//     /users signs up (upstream needs a CSRF token). Rate limits (write
//     buckets, sign-up limits) and the proxy/sock-puppet sign-up heuristics
//     are not implemented: sign-ups are always level 20.
//   - usersd keys carry no IP or controller:action lists; a read-scoped key
//     used for a write is refused like a key without permission (403
//     "User::PrivilegeError").
//   - Settings: only the submitted keys are validated (a per_page of 250
//     written through e621 does not block an unrelated update; it is shown
//     clamped, spec/fields.md §3.0.6). theme outside auto/light/dark and a
//     time_zone that is neither a Rails nor an IANA zone are 422 "is not
//     included in the list"; theme also takes the enum numbers 0/50/100 as
//     Rails does. custom_style is checked for what Crass reports as errors
//     (strings broken by a newline, malformed url( … )), not parsed fully.
//     An empty favorite_tags or custom_style is stored as null. A user
//     parameter that is not a hash changes nothing (204; upstream 500).
//   - Deleted users are listed and shown to everyone, as on Danbooru (the
//     core's GetUser hides them from non-staff, so the face reads the
//     store).
//   - search[inviter_name] naming nobody matches users without an inviter,
//     reproducing upstream's quirk (spec §14.37).
//   - order=name sorts by code point (PostgreSQL "C" collation), not by the
//     database's locale; orders other than the default break ties by id
//     descending. order=custom with more than 1000 distinct ids is empty.
//   - has_<association> searches use the counters usersd keeps
//     (spec/fields.md §3.1; has_bans is the banned flag); other association
//     keys (has_feedback, posts_tags_match, comments[…], …) are ignored.
//     only=bans renders [] (no ban records are kept). pool_version_count is
//     never null.
//   - Dates are read in the viewer's zone in the common forms (ISO 8601 with
//     or without time and offset, 2006/01/02, "Jan 2, 2006", RFC 1123);
//     Time.zone.parse accepts more. The "age found nothing, read it as a
//     date" fallback queries the database only when a value parses both
//     ways. Integers beyond 64 bits are unparsable (nothing matches).
//   - Regular expressions are PostgreSQL's advanced syntax on PostgreSQL
//     (upstream forces ERE with "(?e)") and Go's RE2 on SQLite (no
//     back-references).
//   - The blank-search redirect keeps the other query parameters as sent,
//     in order, rather than re-encoding and sorting them as url_for does.
//   - Errors always have an empty backtrace. A bad %-escape or Rack nesting
//     conflict is 400 "ActionController::BadRequest"; a malformed JSON body
//     400 "ActionDispatch::Http::Parameters::ParseError".
//   - HTML is not Danbooru's site: an HTML request gets a minimal page with
//     the JSON document (and HTML writes redirect as upstream does); the
//     HTML-only routes (/users/new, /settings, …) fall to the 404 page.
//     expires_in/expiry are not supported; cause_error is.
//   - E-mail at sign-up (user[email_address][address]) gets a plain format
//     check ("is invalid", "is too long (maximum is 100 characters)"), no
//     deliverability check.
//   - CORS as upstream: ApplicationController#enable_cors (later
//     add_headers) sets Access-Control-Allow-Origin: * on every response,
//     and Danbooru has no preflight handling, so an OPTIONS request falls
//     to the catch-all 404 (with that header): browsers may read the API
//     and send simple requests, nothing that needs a preflight.
//   - Headers (the face kit, every face): X-Content-Type-Options: nosniff on
//     every response; Cache-Control: no-store on errors, writes and every
//     response to a request with credentials. JSON bodies are
//     application/json and +json types only (Rails also takes its aliases
//     text/x-json and application/jsonrequest); other types contribute no
//     parameters.
//   - Banned users follow the core's one standing rule (core/standing.go):
//     they authenticate and read, but may not change their settings
//     (upstream lets them: "for a banned user … allow the user to edit
//     their settings"); PUT /users/{id} answers 403 "Access denied" before
//     the parameters are read. Banned moderators lose moderator powers
//     (last_ip_addr, the name history of deleted users, level changes).
//   - Hidden fields searched by anyone, as upstream does (Profile.Search):
//     search[updated_at] and search[favorite_count] are shown to the user
//     alone yet filter for every viewer, because User.search passes them to
//     search_attributes; a caller can narrow either to the millisecond or
//     the unit by bisection. usersd serve --upstream-hidden-search=false
//     drops both grants: the keys are then ignored, as upstream ignores
//     keys it does not take. No search[order] sorts on them, and only=
//     never shows them to others (the profile bounds api_attributes).
//
// # Where upstream's code (danbooru/danbooru 06587d1f) differs from the spec
//
// These follow the code: normalize_search runs after the GET-body check and
// authentication; only blank top-level search keys redirect (nested hashes
// are Parameters, not Hash); a blank Authorization header is not API
// authentication, and one without a scheme is decoded whole; the bit-flag
// setter's /[t1y]/ is case-sensitive ("TRUE" is false); members do not see
// the name history of deleted users, so only moderators find (and are
// redirected to) a deleted account by its old name; name_or_past_name's
// current-holder check is scoped to the other filters; key_eq/_gt/… values
// are cast as Rails casts ("12abc" is 12, "abc" matches nothing) and
// key_not of an unparsable value matches everything; created_at_not reads
// dates only, not ages; with only=, methods keep the request's order;
// included records in XML are typed from their values (Hash#to_xml); error
// pages end with a newline and unknown routes render error "NilClass",
// message "Page not found", backtrace null; the 406 message names the MIME
// type ("application/atom+xml is not a supported format for this page");
// a 201 always carries Location (the new user, or url=); the 422 XML body
// <errors><error>full message</error></errors> is upstream's own; the
// anonymous profile has last_logged_in_at = now and
// new_post_navigation_layout = true (User.anonymous).
//
// Sizes: besides Danbooru's character limits, the core bounds fields in
// bytes (blacklisted_tags 192 KiB, favorite_tags 128 KiB, custom_style
// 512 KiB) and a whole user to 64 KiB by default (usersd serve
// --max-user-bytes), so a 100,000-character blacklist needs a larger bound;
// past either, 422 naming the field. Sign-ups past the per-address limit
// (--signup-addr-limit) are 429 RateLimiter::RateLimitError with the
// core's Retry-After.
package danbooru
