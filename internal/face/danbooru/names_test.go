package danbooru

import "testing"

func TestCheckName(t *testing.T) {
	tests := []struct {
		name  string
		taken bool
		want  string
	}{
		{"hatsune_miku", false, ""},
		{"初音ミク", false, ""},
		{"한국어", false, ""},
		{"a.b-c", false, ""},
		{"x", true, "already taken"}, // uniqueness is checked first
		{"x", false, "must be more than 1 character long"},
		{"", false, "must be more than 1 character long"},
		{"abcdefghijklmnopqrstuvwxy", false, "must be less than 25 characters long"},
		{"abcdefghijklmnopqrstuvwx", false, ""},
		{"foo bar", false, "can't contain whitespace"},
		{"foo\u200bbar", false, "can't contain whitespace"},
		{"foo\u3164bar", false, "can't contain whitespace"},
		{"_foo", false, "can't start with '_'"},
		{"foo.", false, "can't end with '.'"},
		{"foo.json", false, "can't end with a file extension"},
		{"foo.JPG", false, "can't end with a file extension"},
		{"foo__bar", false, "can't contain multiple underscores in a row"},
		{"foo!bar", false, "can't contain '!'"},
		{"a@b#c", false, "can't contain '@' and '#'"},
		{"a@b#c$d@", false, "can't end with '@'"},
		{"a@b#c$d", false, "can't contain '@', '#', and '$'"},
		{"foo★bar", false, "must contain only basic letters or numbers"},
		{"café", false, "must contain only basic letters or numbers"},
		{"user_123", false, "can't be the same as a deleted user"},
		{"USER_123", false, "can't be the same as a deleted user"},
		{"Admin", false, "is a reserved name and can't be used"},
		{"banned", false, "is a reserved name and can't be used"},
		{"custom_style", false, "is a reserved name and can't be used"},
	}
	for _, tt := range tests {
		if got := checkName(tt.name, tt.taken); got != tt.want {
			t.Errorf("checkName(%q, %v) = %q, want %q", tt.name, tt.taken, got, tt.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	if got := normalizeName(" Hatsune Miku "); got != "hatsune_miku" {
		t.Errorf("normalizeName = %q", got)
	}
}
