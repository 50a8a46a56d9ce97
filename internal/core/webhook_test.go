package core

import (
	"strings"
	"testing"
)

func TestWebhookInputChecks(t *testing.T) {
	for _, tt := range []struct {
		url, want string
	}{
		{"https://example.com/hooks", ""},
		{"http://127.0.0.1:8080/x?y=1", ""},
		{"", "is required"},
		{"example.com/hooks", "absolute"},
		{"ftp://example.com/", "absolute"},
		{"https:///path", "absolute"},
		{"https://user:pw@example.com/", "user name"},
		{"https://example.com/#frag", "fragment"},
		{"https://example.com/" + strings.Repeat("a", maxWebhookURL), "at most"},
		{"http://[::1", "absolute"},
	} {
		if got := checkWebhookURL(tt.url); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("checkWebhookURL(%.40q) = %q, want %q", tt.url, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   []string
		out  string
		want string
	}{
		{[]string{"user.created"}, "user.created", ""},
		{[]string{"user.banned", "user.created", "user.banned"}, "user.banned,user.created", ""},
		{[]string{"*"}, "*", ""},
		{[]string{"*", "*"}, "*", ""},
		{[]string{}, "", "at least one"},
		{[]string{"*", "user.created"}, "", "stands alone"},
		{[]string{"user.exploded"}, "", `unknown event "user.exploded"`},
		{[]string{"webhook.test"}, "", "unknown event"},
	} {
		out, msg := checkWebhookEvents(tt.in)
		if strings.Join(out, ",") != tt.out || tt.want == "" && msg != "" || !strings.Contains(msg, tt.want) {
			t.Errorf("checkWebhookEvents(%q) = %q, %q; want %q, %q", tt.in, out, msg, tt.out, tt.want)
		}
	}
}
