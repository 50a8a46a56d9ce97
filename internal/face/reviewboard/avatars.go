package reviewboard

import (
	"slices"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

// maxAvatarSizes bounds the renders of one user: Review Board renders
// every size asked for (doc.go).
const maxAvatarSizes = 8

// avatarSizes are the sizes avatar_html is rendered at: the query's
// render-avatars-at, else the form's render_avatars_at, comma-separated;
// what is not an integer from 1 to 2048 (Gravatar's largest) is ignored.
// They are read once a request, at the first user rendered (the form is
// read by then).
func avatarSizes(rq *request) []int {
	if rq.sizesRead {
		return rq.sizes
	}
	rq.sizesRead = true
	raw := get(rq.q, "render-avatars-at")
	if _, ok := rq.q["render-avatars-at"]; !ok {
		raw, _ = rq.value("render_avatars_at")
	}
	var sizes []int
	for s := range strings.SplitSeq(raw, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err == nil && n >= 1 && n <= 2048 && !slices.Contains(sizes, n) && len(sizes) < maxAvatarSizes {
			sizes = append(sizes, n)
		}
	}
	rq.sizes = sizes
	return sizes
}

// djangoEscape is django.utils.html.escape.
var djangoEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// avatarHTML is avatar_html: djblets' avatars/avatar.html for the
// Gravatar service at each size, keyed by size, or null. The URLs are
// marked safe there and so not escaped; the name is. In XML it is null:
// its keys are no element names (doc.go).
func avatarHTML(rq *request, u *core.User, email string) doc.Value {
	sizes := avatarSizes(rq)
	if len(sizes) == 0 || rq.xml {
		return doc.Null()
	}
	o := doc.NewObject()
	for _, n := range sizes {
		one, size := gravatar(email, n), strconv.Itoa(n)
		o.Add(size, doc.String(`<img src="`+one+`" alt="`+djangoEscape.Replace(u.Name)+`" width="`+size+`" height="`+size+
			`" srcset="`+one+` 1x, `+gravatar(email, 2*n)+` 2x, `+gravatar(email, 3*n)+` 3x" class="avatar djblets-o-avatar">`))
	}
	return doc.Obj(o)
}
