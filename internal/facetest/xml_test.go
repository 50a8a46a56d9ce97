package facetest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/face/danbooru"
	"usersd/internal/face/e621"
	"usersd/internal/facetest"
)

// hostile holds characters XML 1.0 forbids (and markup), as a row from
// before the name rule may hold them in its name, and any about text may.
const hostile = "x\ufffe\uffff\x01<&>\"'\x1b"

// TestXMLOutputWellFormed: every XML route of every face, as anonymous
// and as the user, answers well-formed XML although the user's name and
// texts hold characters XML forbids (issue 7: U+FFFE in a name broke
// e621's legacy XML for every client of the page).
func TestXMLOutputWellFormed(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, root := s.Admin("root", 60)
		id, _ := s.Signup("hostile")
		key := s.Token("hostile", "xml")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), root, map[string]any{
			"bio": hostile, "artist_info": hostile, "member_title": hostile, "artist_tags": []string{hostile, "ok"},
		}), 200)
		s.Want(s.Do("PATCH", "/v1/me", key, map[string]any{"favorite_tags": hostile, "blacklisted_tags": hostile, "custom_style": hostile}), 200)
		s.Backend.RawName(t, id, "hostile\ufffe\uffff\x01")
		inviteeID, _ := s.Signup("invitee")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", inviteeID), root, map[string]any{"inviter_id": id}), 200)
		auth := "login=" + url.QueryEscape("hostile\ufffe\uffff\x01") + "&api_key=" + url.QueryEscape(key)

		faces := []struct {
			prefix string
			routes []string
			// mustXML are routes that have to answer XML, so the test
			// cannot pass by finding none.
			mustXML []string
		}{
			{"/danbooru", danbooru.Routes(), []string{"GET /users", "GET /users/{id}", "GET /profile"}},
			{"/e621", e621.Routes, []string{"GET /user", "GET /user/index", "GET /user/show", "GET /user/show/{id}"}},
		}
		for _, face := range faces {
			sawXML := map[string]bool{}
			for _, route := range face.routes {
				method, path, _ := strings.Cut(route, " ")
				for _, ref := range []string{fmt.Sprint(id), "999999", url.PathEscape("hostile\ufffe")} {
					p := face.prefix + strings.ReplaceAll(path, "{id}", ref) + ".xml"
					for _, query := range []string{"", "?" + auth, "?search[name_matches]=*&only=name,inviter,bio&id=" + fmt.Sprint(id) + "&name=hostile%EF%BF%BE", "?" + auth + "&user[favorite_tags]=" + url.QueryEscape(hostile)} {
						var body string
						if method != http.MethodGet {
							body = "user[name]=" + url.QueryEscape(hostile) + "&user[password]=hunter22&user[favorite_tags]=" + url.QueryEscape(hostile)
						}
						r := s.DoType(method, p+query, "", body, "application/x-www-form-urlencoded")
						if r.Status >= 500 {
							t.Errorf("%s %s%s: %d\n%s", method, p, query, r.Status, r.Body)
						}
						if !strings.Contains(r.Header.Get("Content-Type"), "xml") {
							continue
						}
						sawXML[route] = true
						facetest.WellFormedXML(t, fmt.Sprintf("%s %s%s (%d)", method, p, query, r.Status), r.Body)
					}
				}
			}
			for _, route := range face.mustXML {
				if !sawXML[route] {
					t.Errorf("%s %s never answered XML", face.prefix, route)
				}
			}
		}
		// The hostile name is there, with its forbidden characters made
		// visible rather than sent.
		r := s.Do("GET", fmt.Sprintf("/e621/user/show/%d.xml", id), "", nil)
		if !strings.Contains(string(r.Body), `name="hostile***"`) {
			t.Errorf("legacy show:\n%s", r.Body)
		}
	})
}

// TestWellFormedXML: the checker refuses what a strict parser refuses.
func TestWellFormedXML(t *testing.T) {
	for doc, ok := range map[string]bool{
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n<a b=\"c\">d</a>\n": true,
		"<a>\ufffe</a>":     false,
		"<a b=\"\x01\"/>":   false,
		"<a>\xff</a>":       false,
		"<a><b></a>":        false,
		"<a/><b/>":          false,
		"<a>&nbsp;</a>":     false,
		"text<a/>":          false,
		"<a>":               false,
		"<a>&#xFFFE;</a>":   false,
		"<a>\U0010FFFD</a>": true,
	} {
		if err := facetest.CheckXML([]byte(doc)); (err == nil) != ok {
			t.Errorf("CheckXML(%q) = %v, want ok %v", doc, err, ok)
		}
	}
}
