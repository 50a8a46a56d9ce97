package drf_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestCreate covers POST /users/: staff create (the profile's Creates
// grant), DRF's validation messages and parsers, and that the new user
// reads the same through the face and the native API.
func TestCreate(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf")
		f.staff("boss")
		f.user("joe", nil)
		f.user("taken", nil)
		readOnly, _, err := f.svc.CreateToken(context.Background(), core.System, f.ids["boss"], "read", core.ScopeRead)
		if err != nil {
			t.Fatal(err)
		}
		jsonType := map[string]string{"Content-Type": "application/json"}
		post := func(as string, header map[string]string, body string) facetest.Response {
			t.Helper()
			return f.req("POST", "/users/", as, header, body)
		}

		r := post("boss", jsonType, `{"username":"ada","password":"correct horse","email":"ada@example.com",
			"first_name":"Ada","last_name":"Lovelace","is_active":true,"gender":"female","date_of_birth":"1985-12-10",
			"phone":"+441234567890","language_code":"en-gb","sms_allowed":"yes","email_allowed":1,
			"id":999999,"pk":999999,"date_joined":"2000-01-01T00:00:00Z","is_staff":true,"is_superuser":true,"groups":[1],"bogus":"x"}`)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		if loc := r.Header.Get("Location"); loc != "" {
			t.Errorf("Location %q: the serializer has no url field", loc)
		}
		var u map[string]any
		if err := json.Unmarshal(r.Body, &u); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]any{"username": "ada", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace",
			"is_active": true, "gender": "female", "date_of_birth": "1985-12-10", "phone": "+441234567890", "language_code": "en-gb",
			"sms_allowed": true, "email_allowed": true, "call_allowed": false, "is_staff": false, "is_superuser": false, "last_login": nil} {
			if u[k] != want {
				t.Errorf("%s = %v, want %v", k, u[k], want)
			}
		}
		if u["id"] == float64(999999) || u["date_joined"] == "2000-01-01T00:00:00Z" || fmt.Sprint(u["groups"]) != "[]" {
			t.Errorf("read-only fields written: %s", r.Body)
		}
		if strings.Contains(string(r.Body), "password") {
			t.Errorf("password rendered: %s", r.Body)
		}
		id := int64(u["id"].(float64))
		// The same object on the detail route, and the account on the
		// native API, with its password.
		f.want(f.get(fmt.Sprintf("/users/%d/", id), "boss"), 200, string(r.Body))
		native := nativeGet(t, f, id)
		prof, _ := native["profile"].(map[string]any)
		if native["name"] != "ada" || native["email"] != "ada@example.com" || native["first_name"] != "Ada" || prof["phone"] != "+441234567890" || prof["date_of_birth"] != "1985-12-10" {
			t.Errorf("native: %v", native)
		}
		// and on the other faces.
		rb := getJSON(t, f.s.Base+"/reviewboard/api/users/ada/", "token "+f.keys["boss"])
		if u, _ := rb["user"].(map[string]any); u["username"] != "ada" || u["email"] != "ada@example.com" || u["first_name"] != "Ada" {
			t.Errorf("Review Board: %v", rb)
		}
		if db := getJSON(t, fmt.Sprintf("%s/danbooru/users/%d.json", f.s.Base, id), ""); db["name"] != "ada" {
			t.Errorf("Danbooru: %v", db)
		}
		if r := f.req("POST", "/auth/login/", "", jsonType, `{"username":"ada","password":"correct horse"}`); r.Status != 200 {
			t.Errorf("login as the new user: %d %s", r.Status, r.Body)
		}

		// Who may: the core's answer.
		f.want(post("joe", jsonType, `{"username":"x1","password":"pw-x1-pw"}`), 403, `{"detail":"You do not have permission to perform this action."}`)
		f.want(post("", jsonType, `{"username":"x2","password":"pw-x2-pw"}`), 401, `{"detail":"Authentication credentials were not provided."}`)
		f.want(post("", map[string]string{"Content-Type": "application/json", "Authorization": "Token " + readOnly}, `{"username":"x3","password":"pw-x3-pw"}`),
			403, `{"detail":"You do not have permission to perform this action."}`)

		// Validation, in DRF's and Django's words.
		for body, want := range map[string]string{
			`{"username":"taken","password":"pw"}`:                             `{"username":["A user with that username already exists."]}`,
			`{"username":"TAKEN","password":"pw"}`:                             `{"username":["A user with that username already exists."]}`,
			`{"username":"bad1","password":"pw","email":"nope"}`:               `{"email":["Enter a valid email address."]}`,
			`{"username":"bad2"}`:                                              `{"password":["This field is required."]}`,
			`{}`:                                                               `{"password":["This field is required."],"username":["This field is required."]}`,
			`{"username":"","password":"  "}`:                                  `{"password":["This field may not be blank."],"username":["This field may not be blank."]}`,
			`{"username":null,"password":true}`:                                `{"password":["Not a valid string."],"username":["This field may not be null."]}`,
			`{"username":"a b","password":"pw"}`:                               `{"username":["Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."]}`,
			`{"username":"bad3","password":"pw","is_active":"maybe"}`:          `{"is_active":["Must be a valid boolean."]}`,
			`{"username":"bad4","password":"pw","gender":"x"}`:                 `{"gender":["\"x\" is not a valid choice."]}`,
			`{"username":"bad5","password":"pw","date_of_birth":"10/12/1815"}`: `{"date_of_birth":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}`,
			`{"username":"bad6","password":"pw","first_name":"` + strings.Repeat("x", 151) + `"}`: `{"first_name":["Ensure this field has no more than 150 characters."]}`,
			`["username"]`: `{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}`,
		} {
			f.want(post("boss", jsonType, body), 400, want)
		}
		f.want(post("boss", jsonType, `{"username":"dup","password":"pw","email":"ada@example.com"}`), 400, `{"email":["user with this email address already exists."]}`)
		if r := post("boss", jsonType, `{"username":`); r.Status != 400 || !containsDetail(r.Body, "JSON parse error - ") {
			t.Errorf("malformed JSON: %d %s", r.Status, r.Body)
		}
		f.want(post("boss", map[string]string{"Content-Type": "text/plain"}, "x"), 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`)

		// DRF's FormParser and MultiPartParser.
		r = post("boss", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "username=formed&password=pw-formed&is_active=false&first_name=Form")
		if r.Status != 201 || !strings.Contains(string(r.Body), `"username":"formed"`) || !strings.Contains(string(r.Body), `"is_active":false`) {
			t.Errorf("form create: %d %s", r.Status, r.Body)
		}
		mp := "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nparted\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npw-parted\r\n--XyZ--\r\n"
		if r := post("boss", map[string]string{"Content-Type": "multipart/form-data; boundary=XyZ"}, mp); r.Status != 201 || !strings.Contains(string(r.Body), `"username":"parted"`) {
			t.Errorf("multipart create: %d %s", r.Status, r.Body)
		}
		// Deployments letting members read still leave creating to staff.
		g := newFixture(t, b, "/drf", "--drf-all-users")
		g.user("member", nil)
		g.want(g.req("POST", "/users/", "member", jsonType, `{"username":"y1","password":"pw-y1"}`), 403, `{"detail":"You do not have permission to perform this action."}`)
	})
}

// nativeGet reads user id on the native API as the fixture's boss.
func nativeGet(t *testing.T, f *fixture, id int64) map[string]any {
	t.Helper()
	return getJSON(t, fmt.Sprintf("%s/v1/users/%d", f.s.Base, id), "Bearer "+f.keys["boss"])
}

// getJSON reads a JSON object, failing the test on anything but 200.
func getJSON(t *testing.T, url, auth string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&m) != nil {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return m
}
