package djangofilter

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPKs(t *testing.T) {
	tests := []struct {
		vals []string
		want []PK
		msg  string
	}{
		{[]string{"1", "2", "1"}, []PK{{"1", 1, true}, {"2", 2, true}}, ""},
		{[]string{"+1", " 2 ", "0_3", "٣", "99999999999999999999"}, []PK{{"+1", 0, false}, {" 2 ", 0, false}, {"0_3", 0, false}, {"٣", 0, false}, {"99999999999999999999", 0, false}}, ""},
		{[]string{"1", ""}, nil, "“” is not a valid value."},
		{[]string{"abc", "1.0"}, nil, "“abc” is not a valid value."},
		{[]string{"1__0"}, nil, "“1__0” is not a valid value."},
		{[]string{"_1"}, nil, "“_1” is not a valid value."},
		{[]string{"1_"}, nil, "“1_” is not a valid value."},
		{[]string{"-"}, nil, "“-” is not a valid value."},
		{[]string{"1\x00"}, nil, MsgNull},
	}
	for _, tt := range tests {
		got, msg := PKs(tt.vals)
		if msg != tt.msg {
			t.Errorf("%q: message %q, want %q", tt.vals, msg, tt.msg)
			continue
		}
		if msg == "" {
			// Inexact values' IDs are whatever parsed; only Text and Exact matter.
			for i := range got {
				if !got[i].Exact {
					got[i].ID = 0
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%q (-want +got):\n%s", tt.vals, diff)
			}
		}
	}
}

func TestJSONObject(t *testing.T) {
	tests := []struct {
		raw     string
		want    string // compact object; "" when absent
		present bool
		msg     string
	}{
		{"", "", false, ""},
		{"null", "", false, ""},
		{`""`, "", false, ""},
		{" [ ] ", "", false, ""},
		{"{}", "", false, ""},
		{` {"a": [1, {"b": null}]} `, `{"a":[1,{"b":null}]}`, true, ""},
		{" ", "", false, MsgJSON},
		{"5", "", false, MsgJSON},
		{`"x"`, "", false, MsgJSON},
		{"[1]", "", false, MsgJSON},
		{"true", "", false, MsgJSON},
		{"NaN", "", false, MsgJSON},
		{`{"a":1} {}`, "", false, MsgJSON},
		{`{"a":`, "", false, MsgJSON},
	}
	for _, tt := range tests {
		v, present, msg := jsonObject(tt.raw)
		got := ""
		if r, ok := v.(json.RawMessage); ok {
			got = string(r)
		}
		if got != tt.want || present != tt.present || msg != tt.msg {
			t.Errorf("%q: %q %v %q, want %q %v %q", tt.raw, got, present, msg, tt.want, tt.present, tt.msg)
		}
	}
}
