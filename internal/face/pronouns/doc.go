/*
Package pronouns is the pronouns.cc face: the users, @me, pride flag,
member and short-id routes of pronouns.cc's REST API v1
(spec/pronouns.md), over the usersd core. Mounted at /pronouns by default
(clients use http://HOST/pronouns/api/v1), or at / for clients with a
fixed base URL.

# Files

	routes.go   NewHandler, Routes, the request pipeline (token, rate
	            limit, route, scope), DefaultRates
	profile.go  Profile: what the core shows to whom
	users.go    GET /users/{ref}, GET and PATCH /users/@me, reroll
	patch.go    body reading (2 MB) and the PATCH /users/@me rules
	flags.go    /users/@me/flags
	members.go  /users/{ref}/members, /members
	wire.go     the wire shapes and the field mapping table
	errors.go   error codes, statuses and the core error mapping

The mapping of wire keys to canonical fields (spec/fields.md §3.4) is the
comment at the top of wire.go. utc_offset comes from core.User.UTCOffset,
which reads the zone the profile hides from everyone but the owner.
Rate limits use the kit's throttle package and the core's limiter
(Face.Spend), so they hold across nodes sharing --redis.

# Sources

pronouns.cc's backend is not readable here (spec §0). Its
docs/api/endpoints/members.md was not in the search index either, so the
member shapes and rules below follow the spec, fields.md §2.6 and what is
recalled of the backend ([R] in the spec's legend): the full member of
GET /members/{id} is the partial member (§7.3) plus fields, flags and
user {id, name, display_name, avatar, custom_preferences}; member lists
are partial members with flags; member names are 1..100 characters
without @ ? ! # / \ [ ] " { } ' $ % & ( ) + < = > ^ | ~ ` or commas, and
not "." or "..".

# Choices where the spec leaves one, and differences from pronouns.cc

Requests:
  - A body over 2 MB is 413 code 4001 (the spec's [R] status; 400 was
    the alternative).
  - Bodies are read as JSON whatever their Content-Type (tokens travel
    in a header, so a cross-site form cannot act for a user). Unknown
    keys are ignored; a key given twice or invalid UTF-8 is 400 (Go's
    decoder keeps the last and replaces bad bytes). A wrong type is 400
    naming the key.
  - null leaves a key alone, so a body of nulls is "Data must not be
    empty" like {}. Setting one's current name again changes nothing.
  - HEAD is answered as GET; a wrong method is 405 code 405 with Allow;
    any other path, also outside /api/v1, is 404 code 404.

Authentication:
  - "Authorization: <token>" or "Bearer <token>"; any other scheme word
    stays part of the token and fails (401 code 1003), as does "Bearer"
    alone. usersd's login tokens play pronouns.cc's site tokens and its
    API tokens (read or write scope) its API tokens; a read-scoped token
    on any write or on either reroll GET is 403 code 4002.
  - No token on an owner route is 403 code 403 with details "No token
    was supplied".

Users:
  - GET /users/{ref}: an xid-shaped ref that names a user wins, then the
    name, case-insensitively (the core's name lookup, look-alike folding
    included); short ids never. Deleted users are 2001 to everyone, staff
    included, although the core would show them to staff (§9).
  - Names: the face checks pronouns.cc's pattern and reserved words
    (1006); the core then applies usersd's own rules (look-alikes of
    taken names, every face's reserved words, e.g. "me" or "@me"), also
    1006, and uniqueness, 1007.
  - timezone: an IANA name that loads (not "Local", not a path); ""
    clears it. Either way the Rails name Danbooru and e621 keep is
    cleared (spec/fields.md §3.0.4).
  - custom_preferences: keys are UUIDs, stored in lower case (pronouns.cc
    parses them as UUIDs); icons must be Bootstrap Icons names (the core
    bundles the list of bootstrap-icons 1.11.3). Rendered in key order.
    Removing a preference that stored entries still use is allowed, as
    upstream: those entries keep the old status until their list is next
    written, when every status must resolve again.
  - Entries: keys other than the documented ones are dropped, not
    refused (Go's decoder upstream ignores them); display_text "" is
    null. Statuses are checked by the core for every face against the
    custom preferences the same request leaves in effect.
  - Stored entries (names, pronouns, fields) and custom preferences are
    decoded and rendered again in pronouns.cc's key order whichever face
    wrote them; a column another program filled with something else
    renders as empty.
  - created_at is owner-only (§7.2). id_new (snowflake ids) and
    max_invites are not sent; linked accounts come from the core and are
    null when unlinked.

Flags and members:
  - POST /users/@me/flags: "description": "" is no description. PATCH
    with neither name nor description is "Data must not be empty". An id
    that is not an xid is 400; unknown or someone else's is 404 code 404.
  - Member routes: unknown members are 3001, someone else's member on a
    write 3004, a taken member name 3003, an invalid one 400. unlisted is
    rendered to the owner only. The member and flag limits are the core's
    (serve --max-members, --max-flags; 500 each, pronouns.cc's). Only
    the owner changes a member, admins included (3004), as upstream.
  - Creating a member or a flag answers 200, as pronouns.cc does.

Rate limits:
  - Buckets and limits are upstream's (DefaultRates; serve
    --pronouns-rates changes them), the most specific one applying; "*"
    in a bucket is one path segment, so the flag and reroll routes fall
    under "/". The /auth buckets are kept though usersd serves no /auth
    routes.
  - The limiter is the core's GCRA (each bucket refills steadily), not a
    fixed window: X-RateLimit-Reset and ratelimit_reset are the unix
    second at which the bucket is full again. The key is the user when
    the token authenticates, else the client address (IPv6 by /64); a bad token spends
    from the address.
  - Every response carries the headers, errors included; Go writes their
    names as X-Ratelimit-*. If the limiter cannot answer (Redis down),
    the request is refused with 503 code 503 and Retry-After: limits are
    never skipped silently.
  - 503 code 503 is usersd's (pronouns.cc has no overload error): also
    the answer when the core sheds load, with Retry-After.
  - 500 bodies carry the request id as id (also in X-Request-Id and the
    log).
*/
package pronouns
