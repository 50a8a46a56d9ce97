package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"usersd/internal/core"
)

// encode converts a canonical core value to the driver value stored.
func (db *DB) encode(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return db.F.EncodeTime(x.UTC())
	case core.Date:
		return string(x)
	case json.RawMessage:
		return string(x)
	case netip.Addr:
		if !x.IsValid() {
			return nil
		}
		b := x.As16()
		return b[:]
	case int:
		return int64(x)
	}
	return v
}

// scanTarget returns what rows.Scan should fill for field f of rec, a
// record of f's registry. Every kind that database/sql would otherwise
// convert by reflection (integers, nullable values) gets a Scanner: a
// users row has over a hundred columns, and reflection with an allocation
// per nullable column was a sixth of a get by id. Strings and booleans
// take database/sql's own fast paths.
func scanTarget(f *core.Field, rec any) any {
	switch p := f.Ptr(rec).(type) {
	case *int64:
		return int64Scanner{p}
	case **int64:
		return nullInt64Scanner{p}
	case **string:
		return nullStringScanner{p}
	case *time.Time:
		return timeScanner{p}
	case **time.Time:
		return nullTimeScanner{p}
	case **core.Date:
		return dateScanner{p}
	case *json.RawMessage:
		return jsonScanner{p}
	case *netip.Addr:
		return ipScanner{p}
	default:
		return p
	}
}

// decodeTime accepts SQLite's INTEGER microseconds and PostgreSQL's
// timestamptz.
func decodeTime(src any) (time.Time, error) {
	switch x := src.(type) {
	case int64:
		return microTime(x), nil
	case time.Time:
		return x.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("sqlstore: cannot scan %T into a time", src)
}

// microTime is SQLite's INTEGER microseconds as a time.
func microTime(n int64) time.Time { return time.UnixMicro(n).UTC() }

// The scanners below take the driver's usual types directly and leave
// any other to database/sql's conversion (through its Null types), so
// what they accept is what rows.Scan into the plain pointer accepted.

type int64Scanner struct{ p *int64 }

func (s int64Scanner) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		*s.p = x
		return nil
	case nil:
		return errors.New("sqlstore: converting NULL to int64 is unsupported")
	}
	var n sql.NullInt64
	err := n.Scan(src)
	*s.p = n.Int64
	return err
}

type nullInt64Scanner struct{ p **int64 }

func (s nullInt64Scanner) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*s.p = nil
		return nil
	case int64:
		*s.p = &x
		return nil
	}
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*s.p = &n.Int64
	return nil
}

type nullStringScanner struct{ p **string }

func (s nullStringScanner) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*s.p = nil
		return nil
	case string:
		*s.p = &x
		return nil
	}
	var n sql.NullString
	if err := n.Scan(src); err != nil {
		return err
	}
	*s.p = &n.String
	return nil
}

type timeScanner struct{ p *time.Time }

func (s timeScanner) Scan(src any) error {
	t, err := decodeTime(src)
	*s.p = t
	return err
}

type nullTimeScanner struct{ p **time.Time }

func (s nullTimeScanner) Scan(src any) error {
	if src == nil {
		*s.p = nil
		return nil
	}
	t, err := decodeTime(src)
	*s.p = &t
	return err
}

type dateScanner struct{ p **core.Date }

func (s dateScanner) Scan(src any) error {
	var d core.Date
	switch x := src.(type) {
	case nil:
		*s.p = nil
		return nil
	case string:
		d = core.Date(x)
	case []byte:
		d = core.Date(x)
	case time.Time:
		d = core.Date(x.Format(time.DateOnly))
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a date", src)
	}
	*s.p = &d
	return nil
}

type jsonScanner struct{ p *json.RawMessage }

func (s jsonScanner) Scan(src any) error {
	switch x := src.(type) {
	case string:
		*s.p = json.RawMessage(x)
	case []byte:
		*s.p = append(json.RawMessage(nil), x...)
	case nil:
		*s.p = nil
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		*s.p = b
	}
	return nil
}

type ipScanner struct{ p *netip.Addr }

func (s ipScanner) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*s.p = netip.Addr{}
	case []byte:
		a, ok := netip.AddrFromSlice(x)
		if !ok {
			return fmt.Errorf("sqlstore: bad IP of %d bytes", len(x))
		}
		*s.p = a.Unmap()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into an IP", src)
	}
	return nil
}

// selectList is the select list of every column of e's table, in
// registry order.
func selectList(e *core.Entity) string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = e.Table + "." + f.Name
	}
	return strings.Join(names, ", ")
}

// userColumns is the select list of every users column.
var userColumns = selectList(core.Users)

type scanner interface{ Scan(dest ...any) error }

// scanRecord scans a row of selectList(e) into a new T, the record type of
// e.
func scanRecord[T any](e *core.Entity, r scanner) (*T, error) {
	rec := new(T)
	dest := make([]any, len(e.Fields))
	for i, f := range e.Fields {
		dest[i] = scanTarget(f, rec)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	return rec, nil
}

func scanUser(r scanner) (*core.User, error) { return scanRecord[core.User](core.Users, r) }
