/*
Package e621 is the e621 face: the legacy v1 users API (spec/e621.md Part
A, its primary dialect) and the current e621ng users API (Part B), over the
usersd core. Field mappings follow spec/fields.md §3.2–§3.3; the level
tables of §3.0.3 are in levels.go.

# Configuration

The e621ng level table is a package-level option, DefaultLevelTable
(TableClassic unless changed). To serve the June 2026 numbering, set
e621.DefaultLevelTable = e621.Table2026 before cmd/usersd builds the face,
or build it with New(svc, log, Options{Levels: Table2026}). The legacy API
always renders the legacy numbers. Options.SockPuppetCheck enables e621's
one-sign-up-per-address-per-day rule (off by default).

# Choices where the spec leaves one

Legacy v1 (Part A):
  - Routes without an extension answer JSON, or XML when Accept names XML
    and not JSON; /user and /user.json are the index; other extensions are
    a 404. The routes also answer POST (credentials may come in a form
    body); other methods are 405.
  - Credentials: login with password_hash (the user's API token) or
    api_key, from the query or a form body, or HTTP Basic. Wrong
    credentials are anonymous. Danbooru 1's user[name]+user[password]
    password login is not supported (it would mint a login token per
    request). A banned user still authenticates here; the legacy object is
    public anyway.
  - JSONP: a callback that is not an identifier (or is over 100 bytes) is
    424 "invalid parameters"; error bodies of .json requests are wrapped too.
  - index: id and level that do not parse give []; page < 1 or
    non-numeric is page 1; limit 1..100 is honoured (default 20, larger
    values capped at 100, others ignored); pages past a million rows are [].
    No order means id DESC (newest account first); ties break by id DESC.
  - show: id wins over name; a non-numeric id is 424, an id of 0 or
    beyond int64 is 404.
  - XML: an empty artist_tags list is <artist_tags/>; content types carry
    charset=utf-8.
  - Deleted (soft-deleted) accounts never appear in lists; show finds them
    only for themselves and staff, as everywhere in usersd.

e621ng (Part B):
  - No HTML: extensionless routes answer JSON; .xml, .html, .atom and the
    like are 406 with a small HTML page ("application/xml is not a
    supported format for this page"); unknown extensions and unknown
    routes are 404 {"success":false,"reason":"not found"}; DELETE and other
    unrouted methods are 404 too. The 406 check runs before authentication.
  - /users/me.json for an anonymous caller is 200 with e621ng's anonymous
    pseudo-user (id null, name "Anonymous", level 0 "Anonymous", the
    column defaults of db/structure.sql, self fields included because
    e621ng compares nil ids) — verified in users_controller#me.
  - /users/upload_limit.json is e621ng's 2019–March 2025 collection
    route: the caller in the self view (403 "Access Denied: Must be logged
    in" when anonymous). Since March 2025 e621ng routes it per member
    (/users/{id}/upload_limit.json, also served, logged in only) and reads
    /users/upload_limit.json as a user named upload_limit; usersd keeps
    the old meaning because the npm e621 client's getSelf calls it.
  - A read-scoped token may not write: 403 {"success":false,"reason":
    "Access Denied"}. A banned account's credentials are 401 "Account is
    banned: forever" (no ban records, spec/fields.md Q1): a face rule of
    authentication (Profile.BannedLocked). What a banned account may do
    where it does authenticate is the core's one standing rule
    (core/standing.go), the same on every face.
  - Hidden fields searched anyway, as e621ng does (Profile.Search):
    search[updated_at], shown to the user alone, is permitted to every
    viewer (permit_search_params), so bisection narrows anyone's last
    update to the millisecond; search[email_matches] and search[ip_addr]
    are permitted to admins, who are not shown addresses. usersd serve
    --upstream-hidden-search=false drops these grants: the keys are then
    unpermitted (403 "found unpermitted parameter: :updated_at") like any
    key the caller may not use. No search[order] sorts on them.
  - remaining_api_limit equals api_burst_limit: e621ng's users endpoints
    skip the write throttle (skip_before_action :api_check), so usersd
    sends no X-Api-Limit header and never 429s here.
  - Shape 2 errors keep static/error.json.erb's multi-line layout; the
    malformed-JSON 400 is compact, as the middleware writes it. Unexpected
    errors carry the request id as "code".
  - The core's search budget: a search with too many wildcard or word
    conditions is 422 shape 2 naming the limit; one that outlasts the
    database deadline is 500 shape 2 "The database timed out running your
    query." (B.11); too many costly searches at once are 503 shape 2 with
    Retry-After (the legacy API: 503 "rate limited", A.8).
  - search[name_matches] without "*" is an exact case-insensitive match;
    search[order]=name sorts by the folded name, as e621ng's en_US
    database collation orders names at its first level (the spec's "byte
    order" would put every capitalised name first).
  - search[about_me] without "*" approximates PostgreSQL full-text search
    as "every word occurs" as a case-insensitive substring, in
    profile_about or in profile_artinfo (upstream ORs the artinfo match
    with the whole preceding query, a precedence bug usersd does not copy);
    "*" alone matches everyone.
  - search[avatar_id] that is not a positive integer matches nothing;
    search[ip_addr] (admins) that is not an address or CIDR block matches
    nothing (upstream: a database error).
  - Dates: the keywords (today, yesterday, decade, day, week, month,
    year) are dates and compare as midnight UTC, so search[created_at]=
    today matches only that instant, as on e621ng; relative times and
    absolute dates are times and "=" covers their whole day in the request
    zone. Absolute dates accept ISO 8601 / RFC 3339 forms, YYYY/MM/DD,
    YYYY-MM and English month names — a subset of Ruby's Time.zone.parse.
  - Deleted accounts never appear in /users.json; show finds them only
    for themselves and staff.
  - The 302 for name= and for blank search values is an absolute URL
    under the face's mount prefix, with an empty body (Rails 7+) and
    Rails' default Content-Type, text/html.
  - The JSON params wrapper copies top-level keys that are e621ng users
    columns into "user" when "user" is absent; "user" that is not a hash
    is 400 (upstream: a 500).
  - Update: a wrong old_password is a 422 that saves nothing (upstream
    saves the other settings); a new password without old_password is
    validated but not applied, as upstream. old_password spends the
    account's failed-login limit: past it, even the right one is a 429.
    A new password revokes the account's other keys.
  - Create: sign-up writes per_page 75, comment_threshold -10 and
    blacklisted_tags ""; other settings keep the column defaults, which
    are e621's sign-up values. The name rules of UserNameValidator are
    checked by the face, plus usersd's reserved user_<digits>, reported as
    "cannot be one of the reserved words". An e-mail address usersd cannot
    store (no "@") is 422 "is invalid", a taken one "has already been
    taken" (e621 does not check either with verification off).
  - The password check approximates zxcvbn (password.go).
  - favorite_tags is split on white space and de-duplicated (no tag
    aliases); blacklisted_tags is stored as sent, CRLF as LF.
  - CORS: Access-Control-Allow-Origin: * on requests with an Origin; a
    preflight OPTIONS is answered 200 (upstream: rack-cors in
    config/initializers/cors.rb, origins "*", headers :any, methods get,
    post, put, patch, delete, options, head, in front of every route).
  - Headers (the face kit, every face): X-Content-Type-Options: nosniff on
    every response; Cache-Control: no-store on errors, writes and every
    response to a request with credentials, replacing the expiry=
    max-age hint there (e621ng sends private, max-age for a logged-in
    user; usersd stores no answer to a credential anywhere).
  - JSON bodies are application/json and +json types only; Rails' aliases
    text/x-json and application/jsonrequest are bodies of an unknown type
    here, which contribute no parameters.
  - Sizes: besides e621's character limits, the core bounds each field in
    bytes (profile_about and profile_artinfo 64 KiB, blacklisted_tags
    192 KiB, custom_style 512 KiB, favorite_tags 128 KiB) and a whole user
    to 64 KiB by default (usersd serve --max-user-bytes), so a 500,000-
    character custom_style needs a larger bound; past either, 422 naming
    the field. Sign-ups past the per-address limit (--signup-addr-limit)
    are 429 "Throttled: Too many requests" with Retry-After.
*/
package e621
