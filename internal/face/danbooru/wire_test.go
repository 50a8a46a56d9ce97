package danbooru

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
)

func testUser() *core.User {
	inviter := int64(9)
	tz, rails := "Asia/Tokyo", "Tokyo"
	fav := "a&b <c>"
	login := time.Date(2024, 5, 10, 12, 0, 0, 120_000_000, time.UTC)
	return &core.User{
		ID: 5, Name: "Miku", Level: 30, InviterID: &inviter, PostUploadCount: 1, PostUpdateCount: 2, NoteUpdateCount: 3,
		FavoriteCount: 4, CreatedAt: time.Date(2024, 4, 2, 15, 3, 17, 418_900_000, time.UTC),
		UpdatedAt: time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC), LastLoginAt: &login,
		PerPage: 250, CommentThreshold: -200, DefaultImageSize: "fitv", FavoriteTags: &fav, BlacklistedTags: "x\ny",
		Timezone: &tz, TimezoneRails: &rails, Theme: "dark", NewPostNavigationLayout: true, Banned: true,
		LastIP: netip.MustParseAddr("1.2.3.4"), CommentCount: 6,
	}
}

func renderJSON(rd *renderer, o *doc.Object) string {
	return string(rd.json.Marshal(doc.Obj(o)))
}

func renderXML(rd *renderer, o *doc.Object) string {
	return string(rd.xml.Document("user", doc.Obj(o)))
}

func TestRenderOthers(t *testing.T) {
	rd := newRenderer(nil)
	got := renderJSON(rd, rd.user(testUser(), userOptions{}))
	want := `{"id":5,"created_at":"2024-04-02T11:03:17.418-04:00","name":"Miku","inviter_id":9,"level":30,` +
		`"post_upload_count":1,"post_update_count":2,"note_update_count":3,"is_deleted":false,"level_string":"Gold","is_banned":true}`
	if got != want {
		t.Errorf("anonymous view:\n got %s\nwant %s", got, want)
	}
	gotXML := renderXML(rd, rd.user(testUser(), userOptions{}))
	wantXML := `<?xml version="1.0" encoding="UTF-8"?>
<user>
  <id type="integer">5</id>
  <created-at type="dateTime">2024-04-02T11:03:17-04:00</created-at>
  <name>Miku</name>
  <inviter-id type="integer">9</inviter-id>
  <level type="integer">30</level>
  <post-upload-count type="integer">1</post-upload-count>
  <post-update-count type="integer">2</post-update-count>
  <note-update-count type="integer">3</note-update-count>
  <is-deleted type="boolean">false</is-deleted>
  <level-string>Gold</level-string>
  <is-banned type="boolean">true</is-banned>
</user>
`
	if gotXML != wantXML {
		t.Errorf("anonymous XML:\n got %s\nwant %s", gotXML, wantXML)
	}
}

func TestRenderSelf(t *testing.T) {
	u := testUser()
	rd := newRenderer(u)
	got := renderJSON(rd, rd.user(u, userOptions{}))
	want := `{"id":5,"created_at":"2024-04-03T00:03:17.418+09:00","updated_at":"2024-05-10T21:00:00.000+09:00","name":"Miku",` +
		`"inviter_id":9,"level":30,"last_logged_in_at":"2024-05-10T21:00:00.120+09:00","last_forum_read_at":"1960-01-01T14:00:00.000+09:00",` +
		`"post_upload_count":1,"post_update_count":2,"note_update_count":3,"favorite_count":4,"comment_threshold":-100,` +
		`"default_image_size":"large","favorite_tags":"a&b <c>","blacklisted_tags":"x\ny","time_zone":"Tokyo","per_page":200,` +
		`"custom_style":null,"theme":"dark","is_deleted":false,"level_string":"Gold","is_banned":true,"receive_email_notifications":false,` +
		`"new_post_navigation_layout":true,"enable_private_favorites":false,"show_deleted_children":false,` +
		`"disable_categorized_saved_searches":false,"disable_tagged_filenames":false,"disable_mobile_gestures":false,` +
		`"enable_safe_mode":false,"enable_desktop_mode":false,"disable_post_tooltips":false,"requires_verification":false,` +
		`"is_verified":false,"show_deleted_posts":false,"statement_timeout":6000,"favorite_group_limit":null,"tag_query_limit":6,` +
		`"max_saved_searches":1000}`
	if got != want {
		t.Errorf("self view:\n got %s\nwant %s", got, want)
	}
	x := renderXML(rd, rd.user(u, userOptions{}))
	for _, frag := range []string{
		`<favorite-tags>a&amp;b &lt;c&gt;</favorite-tags>`,
		`<custom-style nil="true"/>`,
		`<theme type="integer">dark</theme>`,
		`<favorite-group-limit type="float">Infinity</favorite-group-limit>`,
		`<blacklisted-tags>x` + "\n" + `y</blacklisted-tags>`,
		`<last-forum-read-at type="dateTime">1960-01-01T14:00:00+09:00</last-forum-read-at>`,
	} {
		if !bytes.Contains([]byte(x), []byte(frag)) {
			t.Errorf("self XML lacks %s:\n%s", frag, x)
		}
	}
}

func TestRenderModeratorAndShow(t *testing.T) {
	mod := &core.User{ID: 1, Level: 40}
	rd := newRenderer(mod)
	got := renderJSON(rd, rd.user(testUser(), userOptions{show: true}))
	want := `{"id":5,"created_at":"2024-04-02T11:03:17.418-04:00","name":"Miku","inviter_id":9,"level":30,` +
		`"post_upload_count":1,"post_update_count":2,"note_update_count":3,"last_ip_addr":"1.2.3.4","is_deleted":false,` +
		`"level_string":"Gold","is_banned":true,"wiki_page_version_count":0,"artist_version_count":0,` +
		`"artist_commentary_version_count":0,"pool_version_count":0,"forum_post_count":0,"comment_count":6,` +
		`"favorite_group_count":0,"appeal_count":0,"flag_count":0,"positive_feedback_count":0,"neutral_feedback_count":0,` +
		`"negative_feedback_count":0}`
	if got != want {
		t.Errorf("moderator show:\n got %s\nwant %s", got, want)
	}
	if x := renderXML(rd, rd.user(testUser(), userOptions{})); !bytes.Contains([]byte(x), []byte(`<last-ip-addr type="inet">1.2.3.4</last-ip-addr>`)) {
		t.Errorf("XML lacks the typed IP:\n%s", x)
	}
}

func TestRenderOnly(t *testing.T) {
	inviter := &core.User{ID: 9, Name: "Boss", Level: 50, CreatedAt: time.Date(2020, 1, 1, 5, 0, 0, 0, time.UTC)}
	tests := []struct {
		only string
		want string
	}{
		{"name,id,level_string,is_banned", `{"id":5,"name":"Miku","level_string":"Gold","is_banned":true}`},
		{"is_banned,level_string,id", `{"id":5,"is_banned":true,"level_string":"Gold"}`}, // methods keep the request's order
		{"id,favorite_count,comment_count,bogus", `{"id":5}`},                            // invisible, show-only and unknown names drop
		{"", `{}`},
		{"id,inviter[id,name]", `{"id":5,"inviter":{"id":9,"name":"Boss"}}`},
		{"id,inviter[id,inviter]", `{"id":5,"inviter":{"id":9}}`},
		{"bans,id", `{"id":5,"bans":[]}`},
		{"inviter", `{"inviter":{"id":9,"created_at":"2020-01-01T00:00:00.000-05:00","name":"Boss","inviter_id":null,"level":50,` +
			`"post_upload_count":0,"post_update_count":0,"note_update_count":0,"is_deleted":false,"level_string":"Admin","is_banned":false}}`},
	}
	for _, tt := range tests {
		rd := newRenderer(nil)
		rd.inviters[9] = inviter
		got := renderJSON(rd, rd.user(testUser(), userOptions{show: true, only: parseOnly(tt.only), hasOnly: true}))
		if got != tt.want {
			t.Errorf("only=%s:\n got %s\nwant %s", tt.only, got, tt.want)
		}
	}
	// No inviter: the include is absent, not null.
	rd := newRenderer(nil)
	u := testUser()
	u.InviterID = nil
	if got := renderJSON(rd, rd.user(u, userOptions{only: parseOnly("id,inviter"), hasOnly: true})); got != `{"id":5}` {
		t.Errorf("no inviter: %s", got)
	}
	// Nested objects are typed by value in XML: nil has no type.
	rd.inviters[9] = inviter
	x := renderXML(rd, rd.user(testUser(), userOptions{only: parseOnly("inviter[id,inviter_id]"), hasOnly: true}))
	want := `<?xml version="1.0" encoding="UTF-8"?>
<user>
  <inviter>
    <id type="integer">9</id>
    <inviter-id nil="true"/>
  </inviter>
</user>
`
	if x != want {
		t.Errorf("nested XML:\n got %s\nwant %s", x, want)
	}
}

func TestSplitOnly(t *testing.T) {
	got := splitOnly("id,inviter[id,name],bans")
	if len(got) != 3 || got[1] != "inviter[id,name]" {
		t.Errorf("splitOnly = %q", got)
	}
}
