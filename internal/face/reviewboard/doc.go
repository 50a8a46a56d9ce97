/*
Package reviewboard is the Review Board face: the read side of the Web
API's User List and User resources (spec/reviewboard.md) over the usersd
core, for RBTools, the RB JavaScript client and scripts. Mounted at
/reviewboard by default (clients use http://HOST/reviewboard/api/), or
at / for clients that assume /api/.

# Files

	routes.go   NewHandler, Routes, routing, negotiation, authentication,
	            the response writer (vendor types, ETag, 304)
	profile.go  Profile: what the core shows to whom (§7)
	users.go    GET /api/, GET /api/users/, GET /api/users/{username}/
	errors.go   djblets' error codes and the core error mapping

Shared pieces live in the kit: doc.Python (json.dumps with sorted keys),
doc.Djblets (XMLEncoderAdapter), httpx.Negotiate (Accept),
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
  - This slice serves reads only: POST and PUT (and the "create" and
    "update" links, which djblets emits only for allowed methods) come
    with the write slice, as do the rbsessionid cookie, render-avatars-at,
    only-fields/only-links, JSONP callback, the anonymous-access switch
    and the API rate limits (§12). Until then every other method is 405
    with "Allow: GET" and an empty body.

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
  - Expired and revoked tokens get the generic 104 message, not RB's
    "This API token expired on {date}." (the write slice adds it).
  - Soft-deleted users (usersd's, which Review Board does not have) are
    left out of lists and are 404 by name except to themselves and staff.
*/
package reviewboard
