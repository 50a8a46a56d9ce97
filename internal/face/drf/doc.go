// Package drf is the Django REST framework commerce face (Akinon-style
// "Users" API, spec/drf.md, spec/fields.md §3.6): GET /users/ and
// GET /users/{id}/ with django-filter query parameters, PageNumberPagination
// pages ({count, next, previous, results}, absolute links, page, limit),
// the sort parameter, POST /users/ (staff create users), Token
// authentication and POST /auth/login/. It is
// mounted at /drf by default and works at "/" (serve --mount drf=/).
//
// Order of checks (views.py initial/dispatch): URL (APPEND_SLASH 301 with
// an empty body for every method, as CommonMiddleware does outside
// DEBUG; else 404), ?format (404 unless json), Accept (406, the kit's
// httpx.NegotiateStrict), authentication (401 with WWW-Authenticate:
// Token), permission (401 for anonymous callers, 403 outside the core's
// readers, or for POST /users/ outside its creators), throttling (429),
// method (405 with Allow), body (415, 400), filters (400, per-parameter
// lists), page (404 "Invalid page.").
// A bad Token header is 401 on every route, login and unknown methods
// included.
//
// Access: the profile's Readers are staff (level ≥ 40; fields.md §5 Q2);
// serve --drf-all-users lets every signed-in user read (drf.md §3), and
// then others' private fields come out empty ("", false, null, {}, []),
// their groups and permissions as [], and a filter or sort on a field a
// member is not shown on every user (email, phone, …) is 403 — the core
// refuses searches that would reveal hidden values. groups and user_permissions are
// read through core.Face.UserGroups and UserPermissions (direct
// permissions only, as DRF's ModelSerializer renders the m2m field).
// Creating is the profile's Creates grant (staff, as DRF's IsAdminUser),
// decided by the core, with a token that may write; --drf-all-users does
// not change it.
//
// Throttling is DRF's UserRateThrottle and AnonRateThrottle through the
// core's limiter (so it holds across nodes sharing Redis): the "user"
// scope per signed-in user, the "anon" scope per client address (IPv6
// by /64), which only the login route reaches. serve --drf-rates sets
// them in DRF's notation (user=10000/hour,anon=60/minute by default).
// The login route keeps the core's failed-login limiter besides.
//
// Where usersd differs from the spec or the real system:
//
//   - Login mints a new key on every call (fields.md §5 Q3: keys are
//     stored hashed and cannot be shown twice); earlier keys stay valid
//     until revoked or expired, and past the core's MaxTokens per user the
//     oldest login keys rotate out. DRF's obtain_auth_token returns the
//     same key every time.
//   - An inactive user's login is "Unable to log in with provided
//     credentials.", not the spec's "User account is disabled.": Django's
//     ModelBackend (user_can_authenticate, since 1.10) returns no user for
//     inactive accounts, so django-rest-auth's disabled branch never runs;
//     the core answers unknown, inactive and deleted users alike.
//   - password is a declared filter, but any non-empty value matches
//     nothing (fields.md §5 Q4), so it is no oracle for the hash; the
//     spec's §4.3 "exact hash match" is not followed.
//   - groups and user_permissions are django-filter's
//     ModelMultipleChoiceFilter: every value of the repeated key counts,
//     users holding any of the ids match (OR), each once; user_permissions
//     means direct permissions, as the m2m field does. Values are checked
//     as Django's ModelMultipleChoiceField checks them: a null character is
//     "Null characters are not allowed.", text Python's int() refuses
//     ("abc", "1.0", and "" — so groups= is an error, not "no filter") is
//     "“abc” is not a valid value.", and text that is not an existing
//     id's own spelling ("9" naming no group, "+1", "01") is "Select a
//     valid choice. 9 is not one of the available choices.". Django checks
//     the values in set order, which string hashing makes arbitrary; here
//     the first bad value in the order sent is reported, malformed ones
//     before unknown ones. More than 100 distinct ids in one parameter is
//     400 with the core's reason. A viewer not shown others' groups and
//     permissions (--drf-all-users members) gets 403 for these filters,
//     unless another parameter is a 400.
//   - The attribute filters (attributes, attributes_kwargs,
//     localized_attributes, localized_attributes_kwargs) have no published
//     semantics; usersd follows spec §4.3's recommendation: the value is
//     read as forms.JSONField reads it (unstripped), a JSON object matches
//     users whose object contains it as PostgreSQL's jsonb @> says (keys
//     present with containing values, arrays containing each given item,
//     nested objects likewise, numbers by value: 42 matches 42.0), on both
//     stores. "" and the JSON values null, "", [] and {} are no filter
//     (django-filter's EMPTY_VALUES); other non-objects (5, "x", [1], a
//     bare space) and invalid JSON are 400 "Enter a valid JSON."; Python's
//     NaN and Infinity are not JSON here. A pattern nested deeper than 8
//     levels or with more than 64 keys and values is 400 with the core's
//     reason. On SQLite the match reads each candidate row's JSON (no index,
//     fields.md Q6) under the list deadline; PostgreSQL answers it from the
//     GIN index of each column. Members under --drf-all-users are not shown
//     others' attributes and get 403.
//   - An unknown id is 404 "Not found." (DRF ≤ 3.14; ≥ 3.15 says "No User
//     matches the given query."); spec §5.2 chooses the stable message.
//   - Deleted users are never listed and their detail is 404, as a
//     queryset without them would answer; is_active is active AND NOT
//     deleted (fields.md §3.0.1), so on this face it is the active flag.
//   - Paths no route matches are 404 {"detail": "Not found."} in JSON;
//     Django would send its HTML 404 page.
//   - page and limit read as Python's int() does (whitespace, sign,
//     digit underscores), except non-ASCII digits. Pages deeper than the
//     core's MaxOffset (100,000 rows) are 404 "Invalid page.".
//   - The detail id reads like page; "abc" routes and is 404 "Not
//     found." (generics.get_object_or_404).
//   - POST /users/ exists although spec §1 and §7.20 list only GET, HEAD
//     and OPTIONS: issue 9 asks for users created through this face, so
//     the list is a ListCreateAPIView (Allow: GET, POST, HEAD, OPTIONS;
//     the detail stays GET, HEAD, OPTIONS). It takes JSON, form and
//     multipart bodies, writes username, password (write-only), email,
//     first_name, last_name, is_active, the consents, gender,
//     date_of_birth, phone, language_code, user_type and the attribute
//     objects, ignores read-only and unknown keys as DRF does, and answers
//     201 with the user as GET shows it, without Location (the serializer
//     has no url field). Field messages are DRF's and Django's; beyond
//     them the core's rules hold: a name its rules refuse (reserved
//     words) gets Django's invalid-username message, one that looks like
//     a taken name the unique message, e-mail addresses are
//     unique ("user with this email address already exists."; Django's
//     are not), the core's own field checks (dates from 1900 to today,
//     phone numbers) answer in its words, and user_type and the attribute
//     objects are the core's admin fields, so a moderator naming them is
//     403. E-mail addresses are checked as Django's EmailValidator does (the
//     kit's django.ValidEmail, shared with Review Board), except
//     internationalized domains, which Django retries as punycode.
//   - OPTIONS answers DRF's SimpleMetadata without "actions" (DRF would
//     describe POST's fields on the list to callers who may create);
//     HEAD is GET without a body.
//   - Throttled waits are the core limiter's (GCRA: one request back
//     every period/N), where DRF's SimpleRateThrottle keeps a window of
//     timestamps and divides the window's rest by the free requests; the
//     429 body and Retry-After are DRF's, whole seconds rounded up.
//   - Accept ranges with q=0 are refused (RFC 9110); DRF ignores q.
//   - The avatar URL is the media handler's recipe (fields.md §3.0.5)
//     below the request's host: {scheme://host}{media mount}/users/{xid}/{avatar}.webp.
package drf
