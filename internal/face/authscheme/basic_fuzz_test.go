package authscheme

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzBasicRoundTrip: credentials a client encodes the RFC 7617 way
// decode to the same login and password, strictly, leniently and by
// Rails' rule, whatever the scheme's case and the white space around it;
// and Bearer and Token payloads come back trimmed.
func FuzzBasicRoundTrip(f *testing.F) {
	for _, s := range [][2]string{{"ann", "secret"}, {"", ""}, {"a b", "c:d:e"}, {"é", "\x00\xff"}, {"usd_x", "usd_t5p4wlUf8R3"}} {
		f.Add(s[0], s[1], "Basic", " ")
	}
	f.Add("ann", "pw", "bAsIc", "\t \t")
	f.Fuzz(func(t *testing.T, login, password, scheme, gap string) {
		if strings.Contains(login, ":") || !strings.EqualFold(scheme, "basic") || gap == "" || strings.Trim(gap, space) != "" {
			return // a colon ends the login (RFC 7617 §2); only the scheme and white space are varied
		}
		payload := base64.StdEncoding.EncodeToString([]byte(login + ":" + password))
		header := scheme + gap + payload
		for _, mode := range []Base64{Strict, Lenient} {
			c := Parse(header, mode)
			if c.Scheme != Basic || !c.OK || c.Login != login || c.Password != password {
				t.Fatalf("Parse(%q, %v) = %+v, want %q:%q", header, mode, c, login, password)
			}
		}
		if l, p, ok := RailsBasic(header); !ok || l != login || p != password {
			t.Fatalf("RailsBasic(%q) = %q:%q %v", header, l, p, ok)
		}
		for _, sch := range []struct {
			name string
			want Scheme
		}{{"Bearer", Bearer}, {"token", Token}} {
			c := Parse(sch.name+gap+password+gap, Strict)
			if c.Scheme != sch.want || !c.OK || c.Payload != strings.Trim(password, space) {
				t.Fatalf("Parse(%q) = %+v", sch.name+gap+password+gap, c)
			}
		}
	})
}
