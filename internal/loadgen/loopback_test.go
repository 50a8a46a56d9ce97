package loadgen

import "testing"

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"http://127.0.0.2:1", true},
		{"http://192.0.2.1:8080", false}, // TEST-NET-1
		{"http://[2001:db8::1]:80", false},
		{"http://10.0.0.1", false},
		{"ftp://127.0.0.1", false},
		{"127.0.0.1:8080", false},
		{"http://", false},
	} {
		_, err := ParseTarget(tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("ParseTarget(%q): err %v, want ok %v", tc.url, err, tc.ok)
		}
	}
}
