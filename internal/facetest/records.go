package facetest

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/xid"

	"usersd/internal/core"
	"usersd/internal/face/native"
)

// FullRecord is a user with every field the export carries set to a
// value other than its default, as a JSONL line of the native shape:
// record i has id 100+i, its inviter_id is inviter (0: none), record 2
// is deleted, and its password_hash is a Django hash.
func FullRecord(t testing.TB, i int, inviter int64) []byte {
	t.Helper()
	var shape map[string]any
	if err := json.Unmarshal(native.AppendExportUser(nil, &core.User{}, true), &shape); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2019, 3, 4, 5, 6, 7, 890123000, time.UTC).Add(time.Duration(i) * time.Hour)
	special := map[string]any{
		"id": 100 + i, "xid": xid.NewWithTime(at).String(), "sid": "abcd" + string(rune('a'+i)),
		"name": fmt.Sprintf("Full_%d", i), "email": fmt.Sprintf("full%d@example.com", i), "display_name": "Full Name",
		"inviter_id": nil, "avatar": nil, "deleted": i == 2, "deleted_at": nil,
		"timezone": "Europe/Berlin", "language": "de", "date_of_birth": "1990-02-03", "phone": "+49 30 123456",
		"last_ip": "192.0.2.7", "level": 50, "per_page": 40, "comment_threshold": -3,
		"links":           []any{"https://example.com/a"},
		"preferred_names": []any{map[string]any{"value": "Fu", "status": "okay"}},
		"pronouns":        []any{map[string]any{"pronouns": "they/them", "display_text": "they", "status": "favourite"}},
		"profile_fields":  []any{map[string]any{"name": "Likes", "entries": []any{map[string]any{"value": "tea", "status": "okay"}}}},
		"artist_tags":     []any{"tag_one"},
		"custom_preferences": map[string]any{"0b1c3f1e-1a2b-4c3d-8e9f-0123456789ab": map[string]any{
			"icon": "0-circle", "tooltip": "mine", "size": "large", "muted": false, "favourite": true}},
		"upload_karma":      -5,
		"post_upload_count": 9, "post_deleted_count": 2, "post_active_count": 7,
		"positive_feedback_count": 5, "neutral_feedback_count": 1, "negative_feedback_count": 2, "feedback_score": 3,
		"password_hash": "pbkdf2_sha256$1000$salt$c2FsdHlrZXk=",
	}
	if inviter > 0 {
		special["inviter_id"] = inviter
	}
	if i == 2 {
		special["deleted_at"] = at.Add(time.Minute).Format(time.RFC3339Nano)
	}
	fill := func(name string) any {
		if v, ok := special[name]; ok {
			return v
		}
		f := core.FieldByName(name)
		switch f.Kind {
		case core.KindBool:
			return true
		case core.KindInt:
			return f.Min + 4 + i
		case core.KindTime:
			return at.Format(time.RFC3339Nano)
		case core.KindJSON:
			return map[string]any{"k": fmt.Sprintf("v%d", i)}
		case core.KindText:
			if f.Enum != nil {
				return f.Enum[len(f.Enum)-1]
			}
			s := fmt.Sprintf("%s %d", strings.Repeat("x", max(f.Min, 1)), i)
			return s[:min(len(s), f.Max)]
		}
		t.Fatalf("no value for %s", name)
		return nil
	}
	for k, v := range shape {
		if g, ok := v.(map[string]any); ok {
			for name := range g {
				g[name] = fill(name)
			}
			continue
		}
		shape[k] = fill(k)
	}
	b, err := json.Marshal(shape)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// DjangoKey is the key of Django's pbkdf2_sha256 hash of "lètmein", 1000
// iterations, salt "seasalt": the hash
// "pbkdf2_sha256$1000$seasalt$"+DjangoKey(t) logs in with "lètmein".
func DjangoKey(t testing.TB) string {
	key, err := pbkdf2.Key(sha256.New, "lètmein", []byte("seasalt"), 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key)
}

// SameRecord reports each field of want, user i of an import (groups
// nested, as FullRecord writes them), that got, its export, renders
// otherwise.
func SameRecord(t testing.TB, i int, want, got map[string]any) {
	t.Helper()
	for k, wv := range want {
		if g, ok := wv.(map[string]any); ok {
			for name, v := range g {
				if gv := got[k].(map[string]any)[name]; fmt.Sprint(gv) != fmt.Sprint(v) {
					t.Errorf("user %d: %s.%s exported %v, imported %v", i, k, name, gv, v)
				}
			}
		} else if fmt.Sprint(got[k]) != fmt.Sprint(wv) {
			t.Errorf("user %d: %s exported %v, imported %v", i, k, got[k], wv)
		}
	}
}
