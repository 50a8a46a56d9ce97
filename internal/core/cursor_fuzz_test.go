package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"usersd/internal/query"
)

// FuzzCursor: any cursor text decodes without panicking, or fails as an
// Invalid problem on "cursor"; and the cursor encoded after any user
// under any sortable order decodes to that user's keyset position.
func FuzzCursor(f *testing.F) {
	f.Add("", int64(1), "ann", int64(20), int64(0), "2000-01-31")
	f.Add("eyJvIjoiaWQiLCJ2IjpbNV19", int64(5), "Ünïcödé", int64(50), int64(1_700_000_000_123_456_789), "")
	f.Add("eyJvIjoiLWlkIiwidiI6Wzk5OTk5OTk5OTk5OTk5OTk5OTk5XX0", int64(1<<62), "ß", int64(-1), int64(-62135596800_000_000_000/1000), "0000-01-01")
	f.Add("eyJvIjoiaWQiLCJ2IjpbbnVsbF19", int64(-7), "\x00\xff", int64(1<<40), int64(253402300799_000_000_000/1000), "9999-12-31")
	f.Add("!!", int64(0), "", int64(0), int64(0), "not a date")
	var sortable [][]query.Order
	for _, fd := range Fields {
		if fd.Sort {
			sortable = append(sortable,
				[]query.Order{{Field: fd.Name}, {Field: "id"}},
				[]query.Order{{Field: fd.Name, Desc: true}, {Field: "id", Desc: true}})
		}
	}
	f.Fuzz(func(t *testing.T, s string, id int64, text string, n int64, nanos int64, date string) {
		for _, order := range sortable {
			if _, err := decodeCursor(s, order); err != nil {
				if e := AsError(err); e.Code != Invalid || e.Fields["cursor"] == "" {
					t.Fatalf("decodeCursor(%q): %v is not an Invalid cursor problem", s, err)
				}
			}
		}
		text = strings.ToValidUTF8(text, "\uFFFD") // stored text is UTF-8
		u := &User{}
		ts := time.Unix(0, nanos).UTC()
		for _, fd := range Fields {
			// A stored user holds what its columns can (intrange.go).
			lo, hi := ColumnRange(fd)
			v := min(max(n, lo), hi)
			switch p := fd.Ptr(u).(type) {
			case *int64:
				*p = v
			case *int:
				*p = int(v)
			case **int64:
				*p = &v
			case *string:
				*p = text
			case **string:
				*p = &text
			case *time.Time:
				*p = ts
			case **time.Time:
				*p = &ts
			case *Date:
				*p = Date(date)
			case **Date:
				d := Date(date)
				*p = &d
			}
		}
		u.ID = id
		for _, fd := range Fields {
			if fd.Key != "" { // a folded key holds its field folded
				switch p := FieldByName(fd.Key).Ptr(u).(type) {
				case *string:
					*p = Fold(text)
				case **string:
					k := Fold(text)
					*p = &k
				}
			}
		}
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			u.DateOfBirth = nil // a stored date is always valid
		}
		for _, order := range sortable {
			c := encodeCursor(order, u)
			got, err := decodeCursor(c, order)
			if err != nil {
				t.Fatalf("order %s: the cursor of %+v does not decode: %v", query.OrderString(order), u, err)
			}
			for i, o := range order {
				want := SortValue(FieldByName(o.Field), u)
				if !sameValue(got[i], want) {
					t.Fatalf("order %s, key %s: cursor gives %#v, the user has %#v", query.OrderString(order), o.Field, got[i], want)
				}
			}
		}
	})
}

// sameValue compares a decoded cursor value with the user's own: times
// as instants, nil pointers as nil, pointers by what they point at.
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	case *time.Time:
		if w == nil {
			return got == nil
		}
		return sameValue(got, *w)
	case *string:
		if w == nil {
			return got == nil
		}
		return sameValue(got, *w)
	case *int64:
		if w == nil {
			return got == nil
		}
		return sameValue(got, *w)
	case *Date:
		if w == nil {
			return got == nil
		}
		return sameValue(got, *w)
	case int:
		return got == int64(w)
	}
	return fmt.Sprint(got) == fmt.Sprint(want) && fmt.Sprintf("%T", got) == fmt.Sprintf("%T", want)
}
