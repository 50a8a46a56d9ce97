package core

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"usersd/internal/query"
)

// AuditEntry is one record of the audit log: a change made through any
// face, the CLI, an import or the console, or a security event (a failed
// login, a lock-out). Entries of changes commit in the change's own
// transaction, so a rolled-back change leaves none.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Action     string  // one of the Audit* actions
	ActorID    *int64  // nil: an anonymous caller or the system
	ActorName  *string // the actor's name then, or "system"
	TargetID   *int64  // the user the entry is about
	TargetName *string // the target's name then
	Face       string  // the face, or "cli", "import", "console", "system"
	Addr       netip.Addr
	RequestID  *string
	// Diff is a JSON object: for each field that changed, {"old": …,
	// "new": …} (absent sides were absent or NULL); a secret changed is
	// {"changed": true}, never its value. Events that are not field
	// changes (a token's creation, a failed login) say what they are about
	// the same way.
	Diff json.RawMessage
}

// Audit actions, which are also the events webhooks subscribe to.
const (
	AuditUserCreated   = "user.created"
	AuditUserUpdated   = "user.updated"
	AuditUserRenamed   = "user.renamed"
	AuditUserBanned    = "user.banned"
	AuditUserUnbanned  = "user.unbanned"
	AuditUserLevel     = "user.level_changed"
	AuditUserPassword  = "user.password_changed"
	AuditUserDeleted   = "user.deleted"
	AuditUserRestored  = "user.restored"
	AuditUserImported  = "user.imported" // a batch of an import: the names it created
	AuditTokenCreated  = "token.created"
	AuditTokenRevoked  = "token.revoked"
	AuditLoginFailed   = "login.failed"
	AuditLoginLocked   = "login.locked"
	AuditMemberCreated = "member.created"
	AuditMemberUpdated = "member.updated"
	AuditMemberDeleted = "member.deleted"
	AuditFlagCreated   = "flag.created"
	AuditFlagUpdated   = "flag.updated"
	AuditFlagDeleted   = "flag.deleted"

	AuditWebhookCreated = "webhook.created"
	AuditWebhookUpdated = "webhook.updated"
	AuditWebhookRotated = "webhook.secret_rotated"
	AuditWebhookDeleted = "webhook.deleted"

	AuditSessionRevoked = "session.revoked" // one cookie session, ended by its user or staff
	AuditLoginSucceeded = "login.succeeded" // a password login that gave a token or a console session
)

// AuditActions lists every action, for filters and webhook subscriptions.
var AuditActions = []string{
	AuditUserCreated, AuditUserUpdated, AuditUserRenamed, AuditUserBanned, AuditUserUnbanned,
	AuditUserLevel, AuditUserPassword, AuditUserDeleted, AuditUserRestored, AuditUserImported,
	AuditTokenCreated, AuditTokenRevoked, AuditLoginFailed, AuditLoginLocked,
	AuditMemberCreated, AuditMemberUpdated, AuditMemberDeleted,
	AuditFlagCreated, AuditFlagUpdated, AuditFlagDeleted,
	AuditWebhookCreated, AuditWebhookUpdated, AuditWebhookRotated, AuditWebhookDeleted,
	AuditSessionRevoked, AuditLoginSucceeded,
}

// AuditLog is the registry of the audit_log table. Every filterable field
// leads an index with id, so a filtered listing walks one index newest
// first.
var AuditLog *Entity

func init() {
	type ptr = func(*AuditEntry) any
	id := func(name string, null bool, p ptr) *Field {
		return &Field{Name: name, Kind: KindInt, Null: null, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Filter: true, ptr: p}
	}
	text := func(name string, max int, null, filter bool, p ptr) *Field {
		return &Field{Name: name, Kind: KindText, Null: null, Min: 0, Max: max, Read: ReadAnon, Filter: filter, ptr: p}
	}
	AuditLog = newEntity[AuditEntry]("audit entry", "audit_log", []*Field{
		{Name: "id", Kind: KindInt, Min: 1, Max: 1<<63 - 1, Read: ReadAnon, Filter: true, Sort: true, ptr: func(e *AuditEntry) any { return &e.ID }},
		{Name: "at", Kind: KindTime, Read: ReadAnon, Filter: true, ptr: func(e *AuditEntry) any { return &e.At }},
		{Name: "action", Kind: KindText, Min: 1, Max: 64, Enum: AuditActions, Read: ReadAnon, Filter: true, ptr: func(e *AuditEntry) any { return &e.Action }},
		id("actor_id", true, func(e *AuditEntry) any { return &e.ActorID }),
		text("actor_name", 200, true, false, func(e *AuditEntry) any { return &e.ActorName }),
		id("target_id", true, func(e *AuditEntry) any { return &e.TargetID }),
		text("target_name", 200, true, false, func(e *AuditEntry) any { return &e.TargetName }),
		text("face", 32, false, true, func(e *AuditEntry) any { return &e.Face }),
		{Name: "addr", Kind: KindIP, Null: true, Read: ReadAnon, Filter: true, ptr: func(e *AuditEntry) any { return &e.Addr }},
		text("request_id", 64, true, true, func(e *AuditEntry) any { return &e.RequestID }),
		{Name: "diff", Kind: KindJSON, Shape: '{', Read: ReadAnon, ptr: func(e *AuditEntry) any { return &e.Diff }},
	})
}

// AuditStore persists the audit log.
type AuditStore interface {
	// AppendAudit inserts e and sets its ID, and queues a pending
	// Delivery of it for every enabled webhook subscribed to its action
	// (the outbox); inside a Tx both commit or roll back with the change
	// they record.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns one page of entries matching q (AuditLog fields).
	FindAudit(ctx context.Context, q query.List) ([]*AuditEntry, int, error)
	// CountAudit counts the entries of each action in n buckets of width
	// step from from: out[action][i] is the count in [from+i·step,
	// from+(i+1)·step). One pass over the (at, id) index.
	CountAudit(ctx context.Context, actions []string, from time.Time, step time.Duration, n int) (map[string][]int, error)
	// PruneAudit deletes entries recorded before before, but not those a
	// pending delivery still has to send, and returns how many it deleted.
	PruneAudit(ctx context.Context, before time.Time) (int, error)
}

// Origin says where a request came from, for the audit log: the face (or
// "cli", "import", "console"), the client's address and the request id.
type Origin struct {
	Face      string
	Addr      netip.Addr
	RequestID string
}

type originKey struct{}

// WithOrigin returns ctx carrying o; fields o leaves empty keep the values
// ctx already carries, so the HTTP layer sets the address and request id
// and a face or the console adds its name.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	prev := OriginOf(ctx)
	if o.Face == "" {
		o.Face = prev.Face
	}
	if !o.Addr.IsValid() {
		o.Addr = prev.Addr
	}
	if o.RequestID == "" {
		o.RequestID = prev.RequestID
	}
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the origin ctx carries.
func OriginOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// audit builds an entry of action by actor about target (either may be
// nil), stamped with ctx's origin.
func (s *Service) audit(ctx context.Context, action string, actor, target *User, diff json.RawMessage) *AuditEntry {
	o := OriginOf(ctx)
	if o.Face == "" {
		o.Face = "system"
	}
	e := &AuditEntry{At: s.now(), Action: action, Face: o.Face, Addr: o.Addr.Unmap(), Diff: diff}
	if o.RequestID != "" {
		e.RequestID = &o.RequestID
	}
	switch {
	case actor == System:
		name := "system"
		e.ActorName = &name
	case actor != nil:
		e.ActorID, e.ActorName = &actor.ID, &actor.Name
	}
	if target != nil {
		e.TargetID, e.TargetName = &target.ID, &target.Name
	}
	if len(e.Diff) == 0 {
		e.Diff = json.RawMessage("{}")
	}
	return e
}

// recordChange appends the entry of a change of a user through tx, the
// change's transaction: its action named by userChange, its diff over
// every field.
func (s *Service) recordChange(ctx context.Context, tx Store, actor, before, after *User) error {
	action, diff := userChange(before, after), diffRecords(Users, before, after)
	if action == AuditUserUpdated && len(diff) == 2 {
		// A write of the values a user already had changes nothing an
		// auditor or a webhook needs to hear of.
		return nil
	}
	return tx.AppendAudit(ctx, s.audit(ctx, action, actor, after, diff))
}

// recordAlone appends a security event in its own transaction; a failure
// is logged, since the event it records has happened either way.
func (s *Service) recordAlone(ctx context.Context, e *AuditEntry) {
	if err := s.store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.Log.Error("audit", "action", e.Action, "err", err)
	}
}

// userChange names a change of a user by the field that matters most in
// it, so that one change is one entry: a ban before a rename before a
// level before a password before anything else.
func userChange(before, after *User) string {
	switch {
	case before.Banned != after.Banned && after.Banned:
		return AuditUserBanned
	case before.Banned != after.Banned:
		return AuditUserUnbanned
	case before.Deleted && !after.Deleted:
		return AuditUserRestored
	case !before.Deleted && after.Deleted:
		return AuditUserDeleted
	case before.Name != after.Name:
		return AuditUserRenamed
	case before.Level != after.Level:
		return AuditUserLevel
	case !equalPtr(before.PasswordHash, after.PasswordHash):
		return AuditUserPassword
	}
	return AuditUserUpdated
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// auditSkips are fields whose changes say nothing an auditor needs:
// bookkeeping every write moves, and the name's confusable skeleton,
// which follows the name as its folded key does.
var auditSkips = map[string]bool{"updated_at": true, "row_version": true, "name_skeleton": true}

// diffRecords returns the field-level diff of two records of e (before
// nil: a creation). Secrets (fields nobody reads) show as changed without
// their values; folded keys, which follow their fields, are left out.
func diffRecords(e *Entity, before, after any) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for _, f := range e.Fields {
		if f.Generated || f.isKey || auditSkips[f.Name] {
			continue
		}
		nv := f.Value(after)
		var ov any
		if before != nil {
			ov = f.Value(before)
		}
		if sameAuditValue(ov, nv) || before == nil && zeroValue(nv) {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		k, _ := json.Marshal(f.Name)
		b.Write(k)
		if f.Read == ReadNever {
			b.WriteString(`:{"changed":true}`)
			continue
		}
		b.WriteString(":{")
		sep := ""
		if ov != nil {
			b.WriteString(`"old":`)
			b.Write(auditValue(ov))
			sep = ","
		}
		if nv != nil {
			b.WriteString(sep + `"new":`)
			b.Write(auditValue(nv))
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes()
}

func sameAuditValue(a, b any) bool {
	switch x := a.(type) {
	case json.RawMessage:
		y, ok := b.(json.RawMessage)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case nil:
		return b == nil
	}
	if _, ok := b.(json.RawMessage); ok {
		return false
	}
	return a == b
}

// zeroValue reports whether a created record's value says nothing more
// than its absence would.
func zeroValue(v any) bool {
	switch x := v.(type) {
	case bool:
		return !x
	case int64:
		return x == 0
	case string:
		return x == ""
	case json.RawMessage:
		t := string(bytes.TrimSpace(x))
		return t == "" || t == "{}" || t == "[]" || t == "null"
	}
	return false
}

func auditValue(v any) []byte {
	switch x := v.(type) {
	case json.RawMessage:
		return x
	case time.Time:
		return strconv.AppendQuote(nil, x.UTC().Format(time.RFC3339Nano))
	case netip.Addr:
		return strconv.AppendQuote(nil, x.String())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("null")
	}
	return b
}

// tagDiff adds the fact key: v to a diff object, first, to say which
// record of several a change is about (a member, a flag).
func tagDiff(diff json.RawMessage, key string, v any) json.RawMessage {
	k, _ := json.Marshal(key)
	out := append([]byte{'{'}, k...)
	out = append(out, ':')
	out = append(out, auditValue(v)...)
	if len(diff) > 2 {
		out = append(out, ',')
	}
	return append(out, diff[1:]...)
}

// eventDiff renders the facts of an event that is not a field change.
func eventDiff(kv ...any) json.RawMessage {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}

// AuditRequest is the input of ListAudit.
type AuditRequest struct {
	Filter query.Expr // over AuditLog fields
	Limit  int
	Cursor string // NextCursor of the page before
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries    []*AuditEntry
	NextCursor string
}

// ListAudit returns a page of the audit log, newest first. Admins only.
// Codes: Unauthenticated, Forbidden, Invalid.
func (s *Service) ListAudit(ctx context.Context, actor *User, in AuditRequest) (*AuditPage, error) {
	if err := s.may(ctx, NativeProfile, actor, ActAudit, nil); err != nil {
		return nil, err
	}
	if in.Limit < 1 || in.Limit > query.MaxLimit {
		return nil, FieldError("limit", "must be between 1 and "+strconv.Itoa(query.MaxLimit))
	}
	filter, err := auditFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	if in.Cursor != "" {
		id, err := strconv.ParseInt(in.Cursor, 10, 64)
		if err != nil || id < 1 {
			return nil, FieldError("cursor", "is not a cursor of this listing")
		}
		filter = and(filter, &query.Cond{Field: "id", Op: query.Lt, Value: id})
	}
	q := query.List{Filter: filter, Order: []query.Order{{Field: "id", Desc: true}}, Limit: in.Limit + 1}
	es, _, err := s.store.FindAudit(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &AuditPage{Entries: es}
	if len(es) > in.Limit {
		page.Entries = es[:in.Limit]
		page.NextCursor = strconv.FormatInt(page.Entries[in.Limit-1].ID, 10)
	}
	return page, nil
}

// ExportAudit calls fn with every entry matching filter, oldest first, a
// page at a time. Admins only. Codes: Unauthenticated, Forbidden, Invalid.
func (s *Service) ExportAudit(ctx context.Context, actor *User, filter query.Expr, fn func(*AuditEntry) error) error {
	if err := s.may(ctx, NativeProfile, actor, ActAudit, nil); err != nil {
		return err
	}
	filter, err := auditFilter(filter)
	if err != nil {
		return err
	}
	var after int64
	for {
		f := and(filter, &query.Cond{Field: "id", Op: query.Gt, Value: after})
		es, _, err := s.store.FindAudit(ctx, query.List{Filter: f, Order: []query.Order{{Field: "id"}}, Limit: query.MaxLimit})
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(es) < query.MaxLimit {
			return nil
		}
		after = es[len(es)-1].ID
	}
}

// auditFilter checks a filter against the AuditLog registry.
func auditFilter(e query.Expr) (query.Expr, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case query.And:
		out, err := auditFilters(x)
		return query.And(out), err
	case query.Or:
		out, err := auditFilters(x)
		return query.Or(out), err
	case query.Not:
		z, err := auditFilter(x.X)
		if err != nil {
			return nil, err
		}
		return query.Not{X: z}, nil
	case *query.Cond:
		f := AuditLog.ByName(x.Field)
		if f == nil || !f.Filter {
			return nil, &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{x.Field: "is not a field of the audit log"}}
		}
		if f.Name == "action" && x.Op == query.Eq {
			if v, ok := x.Value.(string); ok && !slices.Contains(AuditActions, v) {
				return nil, &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{"action": "is not an action"}}
			}
		}
		return normalizeCond(f, x)
	}
	return nil, Errorf(Invalid, "Invalid filter.")
}

func auditFilters(es []query.Expr) ([]query.Expr, error) {
	out := make([]query.Expr, len(es))
	for i, e := range es {
		var err error
		if out[i], err = auditFilter(e); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditTimeFormat is the native API's time format: microseconds, UTC.
const auditTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// MarshalJSON renders an entry by its registry names, as the native API
// and webhook payloads show it.
func (e *AuditEntry) MarshalJSON() ([]byte, error) {
	out := struct {
		ID         int64           `json:"id"`
		At         string          `json:"at"`
		Action     string          `json:"action"`
		ActorID    *int64          `json:"actor_id"`
		ActorName  *string         `json:"actor_name"`
		TargetID   *int64          `json:"target_id"`
		TargetName *string         `json:"target_name"`
		Face       string          `json:"face"`
		Addr       *string         `json:"addr"`
		RequestID  *string         `json:"request_id"`
		Diff       json.RawMessage `json:"diff"`
	}{ID: e.ID, At: e.At.UTC().Format(auditTimeFormat), Action: e.Action, ActorID: e.ActorID, ActorName: e.ActorName,
		TargetID: e.TargetID, TargetName: e.TargetName, Face: e.Face, RequestID: e.RequestID, Diff: e.Diff}
	if e.Addr.IsValid() {
		a := e.Addr.String()
		out.Addr = &a
	}
	if len(out.Diff) == 0 {
		out.Diff = json.RawMessage("{}")
	}
	return json.Marshal(out)
}
