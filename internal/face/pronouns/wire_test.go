package pronouns

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
)

// TestUserValue: the key order of spec §10, arrays and maps never null
// even for empty columns, owner-only keys absent for others, badges,
// utc_offset from the private zone, linked accounts.
func TestUserValue(t *testing.T) {
	zone, bio, inst, uname := "America/New_York", "hi <b>", "mastodon.example", "al@mastodon.example"
	u := &core.User{ID: 7, XID: "ce6v1aje6i88cb6k5heg", SID: "qwxyz", Name: "testingUser", Level: core.LevelAdmin,
		Bio: &bio, Timezone: &zone, CreatedAt: time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC),
		LastSIDRerollAt: time.Date(2023, 1, 2, 2, 4, 5, 0, time.UTC),
		PreferredNames:  json.RawMessage(`[{"status":"favourite","value":"Testing"}]`)}
	summer := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	others := Profile.Redact(&core.User{ID: 8, Level: core.LevelOwner}, u)
	got := string(wireJSON.Marshal(userValue(userView{user: others, now: summer})))
	want := `{"id":"ce6v1aje6i88cb6k5heg","sid":"qwxyz","name":"testingUser","display_name":null,"bio":"hi \u003cb\u003e","member_title":null,"avatar":null,` +
		`"links":[],"names":[{"value":"Testing","status":"favourite"}],"pronouns":[],"fields":[],"flags":[],"members":[],"badges":1,"utc_offset":-14400,"custom_preferences":{}}`
	if got != want {
		t.Errorf("others see\n%s\nwant\n%s", got, want)
	}
	if anon := string(wireJSON.Marshal(userValue(userView{user: Profile.Redact(nil, u), now: summer}))); anon != want {
		t.Errorf("anonymous sees\n%s", anon)
	}

	self := Profile.Redact(u, u)
	linked := []core.LinkedAccount{{Provider: "fediverse", RemoteID: "123", RemoteUsername: &uname, Instance: &inst}, {Provider: "discord", RemoteID: "42"}}
	got = string(wireJSON.Marshal(userValue(userView{user: self, linked: linked, now: summer})))
	tail := `"custom_preferences":{},"created_at":"2023-01-02T03:04:05Z","timezone":"America/New_York","is_admin":true,"list_private":false,` +
		`"last_sid_reroll":"2023-01-02T02:04:05Z","discord":"42","discord_username":null,"tumblr":null,"tumblr_username":null,"google":null,"google_username":null,` +
		`"fediverse":"123","fediverse_username":"al@mastodon.example","fediverse_instance":"mastodon.example"}`
	if !strings.HasSuffix(got, tail) || !strings.HasPrefix(got, want[:len(want)-len(`"custom_preferences":{}}`)]) {
		t.Errorf("the owner sees\n%s", got)
	}
}

func TestMemberValue(t *testing.T) {
	dn := "Rob"
	m := &core.Member{ID: 1, XID: "ce6v1aje6i88cb6k5hef", SID: "abcdef", UserID: 7, Name: "Robin", DisplayName: &dn}
	u := &core.User{ID: 7, XID: "ce6v1aje6i88cb6k5heg", Name: "alice"}
	fl := []*core.PrideFlag{{XID: "ce6v1aje6i88cb6k5hee", Hash: strings.Repeat("a", 64), Name: "F"}}
	got := string(wireJSON.Marshal(memberValue(m, fl, u, false)))
	want := `{"id":"ce6v1aje6i88cb6k5hef","sid":"abcdef","name":"Robin","display_name":"Rob","bio":null,"avatar":null,"links":[],"names":[],"pronouns":[],"fields":[],` +
		`"flags":[{"id":"ce6v1aje6i88cb6k5hee","hash":"` + strings.Repeat("a", 64) + `","name":"F","description":null}],` +
		`"user":{"id":"ce6v1aje6i88cb6k5heg","name":"alice","display_name":null,"avatar":null,"custom_preferences":{}}}`
	if got != want {
		t.Errorf("member\n%s\nwant\n%s", got, want)
	}
	if got := string(wireJSON.Marshal(memberValue(m, nil, u, true))); !strings.HasSuffix(got, `"custom_preferences":{}},"unlisted":false}`) {
		t.Errorf("owner's member: %s", got)
	}
	if got := string(wireJSON.Marshal(partialMemberValue(m))); got != `{"id":"ce6v1aje6i88cb6k5hef","sid":"abcdef","name":"Robin","display_name":"Rob","bio":null,"avatar":null,"links":[],"names":[],"pronouns":[]}` {
		t.Errorf("partial member: %s", got)
	}
}

// TestToAPIError: core errors become pronouns.cc codes, by the entity a
// request is about.
func TestToAPIError(t *testing.T) {
	reason := func(c core.Code, r string) error { return &core.Error{Code: c, Reason: r, Message: "m"} }
	field := func(c core.Code, f string) error {
		return &core.Error{Code: c, Message: "m", Fields: map[string]string{f: "bad"}}
	}
	tests := []struct {
		err    error
		ent    entity
		code   int
		status int
	}{
		{reason(core.Invalid, core.ReasonTooManyFlags), entFlag, 2003, 400},
		{reason(core.Invalid, core.ReasonTooManyMembers), entMember, 3002, 400},
		{reason(core.Forbidden, core.ReasonNotYours), entMember, 3004, 403},
		{reason(core.Forbidden, core.ReasonRerollTooSoon), entUser, 2004, 403},
		{reason(core.Forbidden, core.ReasonListPrivate), entMember, 2002, 403},
		{reason(core.Forbidden, core.ReasonTokenReadOnly), entUser, 4002, 403},
		{reason(core.Unauthenticated, core.ReasonAuthRequired), entUser, 403, 403},
		{reason(core.Unauthenticated, core.ReasonTokenRevoked), entUser, 1003, 401},
		{reason(core.Invalid, core.ReasonBadImage), entUser, 400, 400},
		{field(core.Invalid, "name"), entUser, 1006, 400},
		{field(core.Invalid, "name"), entMember, 400, 400},
		{field(core.Invalid, "bio"), entUser, 400, 400},
		{field(core.Conflict, "name"), entUser, 1007, 400},
		{field(core.Conflict, "name"), entMember, 3003, 400},
		{core.Errorf(core.NotFound, "x"), entUser, 2001, 404},
		{core.Errorf(core.NotFound, "x"), entMember, 3001, 404},
		{core.Errorf(core.NotFound, "x"), entFlag, 404, 404},
		{core.Errorf(core.Forbidden, "x"), entUser, 403, 403},
		{&core.Error{Code: core.Unavailable, RetryAfter: time.Second}, entUser, 503, 503},
		{errors.New("boom"), entUser, 500, 500},
	}
	for _, tt := range tests {
		got := toAPIError(tt.err, tt.ent)
		if got.Code != tt.code || errorInfo[got.Code].status != tt.status {
			t.Errorf("toAPIError(%v, %d) = %d (HTTP %d), want %d (HTTP %d)", tt.err, tt.ent, got.Code, errorInfo[got.Code].status, tt.code, tt.status)
		}
	}
	for code, info := range errorInfo {
		if info.status < 400 || info.status > 599 || info.message == "" || http.StatusText(info.status) == "" {
			t.Errorf("code %d: %+v", code, info)
		}
	}
}

func TestRoutes(t *testing.T) {
	if len(Routes) != 17 || Routes[0] != "GET /api/v1/users/@me" {
		t.Errorf("Routes = %v", Routes)
	}
}
