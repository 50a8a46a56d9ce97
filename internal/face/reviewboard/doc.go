/*
Package reviewboard is the Review Board face: the Web API's User List
and User resources (spec/reviewboard.md) over the usersd core, for
RBTools, the RB JavaScript client and scripts. Mounted at
/reviewboard by default (clients use http://HOST/reviewboard/api/), or
at / for clients that assume /api/.

# Files

	routes.go      NewHandler, Routes, routing and method dispatch (405,
	               _method), negotiation, authentication, the response
	               writer (vendor types, ETag, 304)
	session.go     Options, the rbsessionid cookie, the API rate limits
	djangotime.go  Django's localized dates, for token messages
	profile.go     Profile: what the core shows to whom (§7), and who
	               may create and update (the core's grants)
	users.go       GET /api/, GET /api/users/, GET /api/users/{username}/
	writes.go      POST /api/users/, PUT /api/users/{username}/ (§8, §9)
	avatars.go     avatar_html at render-avatars-at
	errors.go      djblets' error codes and the core error mapping

Shared pieces live in the kit: doc.Python (json.dumps with sorted keys),
doc.Djblets (XMLEncoderAdapter), httpx.Negotiate (Accept),
httpx.ReadForm and httpx.MediaType (form and multipart bodies, with
RBTools' unquoted boundary of "=" signs, read as Django does),
httpx.ViewerETag and httpx.NotModified, paging.StartLinks,
authscheme.Parse.

# What is served

  - GET /api/ answers only what usersd serves: uri_templates "user" and
    "users" and links "self" and "users", typed
    application/vnd.reviewboard.org.root+json. Review Board's root also
    lists every other resource, the product and site information and
    capabilities; RBTools finds the users resource by the "users" link
    and template, which is all a client of this face needs.
  - GET /api/users/ with q, fullname, include-inactive, counts-only,
    start, max-results; GET /api/users/{username}/.
  - POST /api/users/ (username, email, password, first_name, last_name,
    render_avatars_at) and PUT /api/users/{username}/ (email,
    first_name, last_name, is_active, render_avatars_at), with
    URL-encoded or multipart bodies; a POST with _method=PUT is a PUT
    (djblets reads _method from the body only, not
    X-HTTP-Method-Override). Unknown fields are 105 "Field is not
    supported"; djblets' special parameters (api_format, _method …) are
    no fields. A PUT writes only the values that change; is_active is
    read as djblets' BooleanFieldType ("1" or "true" in any case is
    true).
  - Who may create (superusers, i.e. level ≥ 50, and holders of
    auth.add_user) and update (the user, superusers, auth.change_user)
    is the core's answer through Profile.Creates and Profile.Updates;
    the face asks first (Face.May) and holds the answer, so that a
    caller with bad fields gets 400 before 403 as upstream does. A PUT's
    problems are reported together: where the face refuses a value (an
    e-mail address Django would refuse) the core judges the rest in a
    dry run (core.Update.DryRun), e.g. is_active by a non-holder.
  - Other methods are 405 with an empty body and djblets' Allow:
    "GET, PUT, POST" (the users resource's allowed_methods), less PUT on
    the list ("GET, POST") and POST on an item ("GET, PUT"); "GET" on
    the root. The list links "create" and items "update" for every
    caller, as djblets links every allowed method.
  - avatar_html is rendered at render-avatars-at (GET; on POST and PUT
    the query's, else the body's render_avatars_at) as djblets'
    avatars/avatar.html for the Gravatar service.
  - only-fields and only-links trim items as serialize_object does,
    read from the query string only (djblets also reads only_fields and
    only_links from a POST body, where usersd's form check calls them
    unsupported). ?callback= wraps any answer as djblets does, when it
    is a dotted JavaScript name; other text is ignored rather than put
    unescaped before the body. Under the nosniff header djblets sends,
    browsers do not run a vendor-typed body as a script anyway.
  - Sessions: RBTools sends credentials on its first request only, so a
    successful Basic or token login sets rbsessionid (a core session of
    kind reviewboard, stored as the hash of the cookie) with Django's
    attributes: Max-Age and Expires two weeks ahead, HttpOnly,
    SameSite=Lax, Path the face's mount plus "/", Secure over TLS
    (or X-Forwarded-Proto: https). It is set on a 304 too. A request
    without an Authorization header is the cookie's user; the header
    wins when both come. A cookie naming no live session (unknown,
    expired, or its user inactive, deleted or banned) is anonymous, as
    Django makes it, and is cleared. Each use slides the expiry two weeks
    ahead (Django by default does not: SESSION_SAVE_EVERY_REQUEST is
    off), written at most once a minute.
  - Caching: API GETs carry an ETag per viewer and "Cache-Control:
    no-cache" ("private, no-cache" to a signed-in caller), never max-age
    or Expires: RBTools keeps an entry without them forever, revalidates
    by ETag under no-cache, shares its cache across accounts and cannot
    match Vary: Cookie. Errors stay no-store.
  - Rate limits (§12): every request whose path routes to a resource is
    counted before its method is dispatched (a 405 too, as in djblets),
    per account when signed in, else per client address (IPv6 by /64),
    --reviewboard-rates anon=1000,user=10000 an hour by default. Over it:
    429 code 114 with Retry-After and X-RateLimit-Limit, as djblets. A
    failed login is not counted (its own limit is the core's login
    throttle, 104 "Maximum number of login attempts exceeded.").
  - --reviewboard-require-login is the "require login" site setting:
    anonymous requests, the root included, are 401 code 103.

# Where the face differs from the spec, and why

  - XML is djblets' XMLEncoderAdapter byte for byte, which the spec's
    examples abbreviate: no newline after </rsp>, and null (avatar_html)
    is a start and end tag with the indentation between them, not an
    empty element (encoders.py writes nothing for None, then indents the
    end tag).
  - avatar_urls is left out of XML: its keys "1x", "2x", "3x" are not
    element names, and Review Board's own XML output with them does not
    parse (spec §13 allows the omission).
  - Gravatar hashes are of the address the viewer is shown. Review Board
    hashes the real address even where it hides it, which lets anyone
    confirm a guessed address; here a hidden address gives the all-zero
    hash (the core redacts the address before the face sees it).
  - With the deployment's upstream search grants off
    (--upstream-hidden-search=false), fullname=1 matches names only for
    viewers shown them; otherwise everyone matches on first and last
    names, as Review Board does.
  - The item URL matches the name exactly (case-sensitive), as Django's
    username lookup does; a name outside djblets' URL pattern
    [A-Za-z0-9@._-'+]+ is 404 code 100, as it does not route.
  - Users past the core's offset range (start > 100000) are an empty
    page with the right total_results.
  - max-results < 0 is 400 code 105 (upstream crashes); max-results=0 is
    an empty page with no next link (upstream's points at itself).
  - api_format=json|xml overrides Accept, as older Review Board did.
  - An expired token gets RB's "This API token expired on {date}." with
    Django's English date ("Aug. 2, 2022, 10:45 a.m.", UTC). A revoked
    token gets the generic 104 message: the store forgets revoked
    tokens, so "This API token became invalid on {date}" has no date to
    give (and usersd has no invalid_reason).
  - A read-only token's login starts no session: RB's session remembers
    the token and its policy, usersd's carries none, and a cookie would
    allow what the token does not. Such a client sends the token on
    every request. A session a token login opened lives while the token
    does: revoking the token, or its expiry, ends the session too (a
    password change, deactivation or deletion ends every session).
  - Every Basic or token request without a session cookie starts a new
    session, as Django's login() does; a script that sends credentials
    every time and drops cookies leaves one session each, up to the
    core's 50 per user (the oldest end first), swept when they expire.
  - The create password is optional, as in Review Board since 7.0.6
    (the spec follows the older seed, where it was required): without
    one the account has no password to log in with until one is set.
    An empty password is refused with "This field is required": Django
    would store a hash of the empty string, usersd makes no account
    whose password is empty.
  - Usernames Review Board would store but never route are 400 code 105
    on fields.username (spec §8, edge case 25): empty, more than 150
    characters, or outside [A-Za-z0-9@._-'+]+. The core's name rules
    (reserved forms such as user_12, look-alikes of existing names)
    are 105 on fields.username too, with the core's reason as a
    sentence; a look-alike is "This username looks too much like an
    existing one.", a name taken in any case is upstream's "A user with
    the requested username already exists." (Django's unique index is
    case-sensitive; usersd's names are unique case-insensitively).
  - E-mail addresses are unique in usersd (Review Board allows
    duplicates): a taken address is 105 on fields.email, "A user with
    this e-mail address already exists.". They are checked as Django's
    validate_email does, except internationalized domains, which
    Django retries as punycode and usersd refuses.
  - Staff below superuser (moderators, level 40) may update members and
    set their is_active: the core's rank rule, which the face does not
    overrule. Review Board's is_staff users need auth.change_user for
    that. Superusers may not update users of their own level or above
    (the core's rank rule); Review Board's may.
  - A read-only token (usersd's token scope) on POST or PUT is 403 code
    101, as an API token policy that forbids the write is.
  - Authentication comes before the 405 (djblets checks credentials
    first): bad credentials on DELETE are 104. An Authorization header
    no backend recognises is 103 there too, and so is an anonymous
    request under --reviewboard-require-login, where djblets answers 405
    because no view ran its login check.
  - A body Django could not parse (a malformed multipart or URL-encoded
    body, invalid UTF-8, over 1 MiB) is 400 code 105 without fields;
    Django answers a bare 400.
  - avatar_html is null in XML (its keys, the sizes, are no element
    names), sizes outside 1–2048 are ignored and at most 8 are rendered
    per user; Review Board renders every integer size asked for.
  - Soft-deleted users (usersd's, which Review Board does not have) are
    left out of lists and are 404 by name except to themselves and staff.
*/
package reviewboard
