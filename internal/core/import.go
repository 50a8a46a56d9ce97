package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/rs/xid"
)

// ConflictMode says what an import does with a record whose name or
// e-mail address a stored user already holds.
type ConflictMode int

// Conflict modes.
const (
	ConflictFail   ConflictMode = iota // refuse the record
	ConflictSkip                       // leave the stored user as it is
	ConflictUpdate                     // write the record over the stored user
)

// ParseConflictMode reads "fail", "skip" or "update".
func ParseConflictMode(s string) (ConflictMode, error) {
	switch s {
	case "fail":
		return ConflictFail, nil
	case "skip":
		return ConflictSkip, nil
	case "update":
		return ConflictUpdate, nil
	}
	return 0, fmt.Errorf("%q: want skip, update or fail", s)
}

// ImportRecord is one user of an import, as a format reader decoded it.
type ImportRecord struct {
	Line   int   // where the record starts in the input, for refusals
	Fields Patch // registry values by registry name
	// Err is the reader's reason for not decoding the record, which is
	// then refused with it.
	Err error
}

// RecordReader yields the records of an import in order; io.EOF ends
// the input. Any other error stops the import.
type RecordReader interface {
	Next() (ImportRecord, error)
}

// ImportOptions tune Import.
type ImportOptions struct {
	OnConflict ConflictMode
	// DryRun runs every check and every write in a transaction that is
	// rolled back: the summary is the one a real run would give.
	DryRun bool
	// Batch is the number of records written per transaction (default
	// DefaultImportBatch).
	Batch int
	// Progress, if set, is called after each batch.
	Progress func(ImportSummary)
	// Refused, if set, is called for each refused record, in input order.
	Refused func(Refusal)
	// Ready, if set, is called once the import holds the Service's import
	// slot, before anything is read from r or asked of the store; its
	// error stops the import and is returned as it is. The API spools a
	// dry run's body here, so that an import refused for another's
	// running is refused before its body is uploaded, and the dry run's
	// transaction does not wait on the upload.
	Ready func() error
}

// DefaultImportBatch is the records per transaction of an import.
const DefaultImportBatch = 1000

// ImportSummary counts the records of an import.
type ImportSummary struct {
	Read, Created, Updated, Skipped, Refused int
}

// String is the counts as the CLI and the API word them.
func (s ImportSummary) String() string {
	return fmt.Sprintf("%d read, %d created, %d updated, %d skipped, %d refused", s.Read, s.Created, s.Updated, s.Skipped, s.Refused)
}

// Refusal is a record an import did not write, and why.
type Refusal struct {
	Line   int
	Name   string // the record's name, when it has one
	Reason string
}

// String is the refusal as the CLI's rejects file and the API's summary
// word it: "line 3 (ann): reason", without the name when there is none.
func (r Refusal) String() string {
	if r.Name != "" {
		return fmt.Sprintf("line %d (%s): %s", r.Line, r.Name, r.Reason)
	}
	return fmt.Sprintf("line %d: %s", r.Line, r.Reason)
}

// importSystemFields are the fields only the system writes that an import
// carries over (spec/fields.md: "set by CLI import"). id is kept when it
// is free; generated fields are recomputed and ignored.
var importSystemFields = map[string]bool{
	"id": true, "xid": true, "sid": true, "deleted": true, "deleted_at": true,
	"created_at": true, "updated_at": true, "last_login_at": true, "last_ip": true,
	"last_sid_reroll_at": true, "password_hash": true,
}

// identityFields are what an update by import leaves as the stored user
// has them: the record matched that user by name or e-mail.
var identityFields = []string{"id", "xid", "sid"}

// pendingRecord is a checked record waiting for its batch, or a refusal
// kept in its place so that refusals are reported in input order.
type pendingRecord struct {
	line    int
	name    string
	p       Patch
	refused string
}

// importOutcome is what the batch did with one record.
type importOutcome int

const (
	outCreated importOutcome = iota
	outUpdated
	outSkipped
	outRefused
)

var errDryRun = errors.New("dry run")

// errImportRunning refuses an import while another runs: two would
// queue behind one database writer (SQLite's only one) and each hold
// the other's batches up, with a client waiting on each.
var errImportRunning = &Error{Code: Conflict, Reason: ReasonImportRunning,
	Message: "An import is already running; try again when it has finished."}

// Import writes the users r yields, as actor (System, or an admin),
// in transactions of opt.Batch records. Each record is checked as a
// create is (field rules, name rules, the writer's rights, whole-user
// size), its password_hash must be in a format the hasher verifies, and
// it is matched against stored users by name (case-insensitively) and
// e-mail address: opt.OnConflict decides what a match does. A refused
// record writes nothing and the import goes on; each batch commits as a
// whole, so an interrupted import run again under skip or update
// creates no duplicates. A new user keeps the record's id when no user
// holds it (so an export imported into an empty database exports the
// same), else it gets a new one; ids never match records to users.
// Nothing is read from r before actor is found allowed. One import runs
// at a time on a Service (the CLI's and the API's alike): another is
// refused at once, before anything is read from its r, not queued.
// Imports from other processes on the same database are not excluded.
// Codes: Unauthenticated, Forbidden, Conflict (ReasonImportRunning), and
// whatever stops opt.Ready, the store or r.
func (s *Service) Import(ctx context.Context, actor *User, r RecordReader, opt ImportOptions) (ImportSummary, error) {
	if err := s.may(ctx, NativeProfile, actor, ActImport, nil); err != nil {
		return ImportSummary{}, err
	}
	// Whoever started it, its changes are the import's in the audit log.
	ctx = WithOrigin(ctx, Origin{Face: "import"})
	if !s.importing.CompareAndSwap(false, true) {
		return ImportSummary{}, errImportRunning
	}
	defer s.importing.Store(false)
	if opt.Ready != nil {
		if err := opt.Ready(); err != nil {
			return ImportSummary{}, err
		}
	}
	if opt.Batch <= 0 {
		opt.Batch = DefaultImportBatch
	}
	done, err := s.store.BulkLoad(ctx)
	if err != nil {
		return ImportSummary{}, err
	}
	sum, err := s.importAll(ctx, actor, r, opt)
	if derr := done(); err == nil {
		err = derr
	}
	return sum, err
}

// importAll is Import's run, or its dry run, under the store's BulkLoad.
func (s *Service) importAll(ctx context.Context, actor *User, r RecordReader, opt ImportOptions) (ImportSummary, error) {
	if !opt.DryRun {
		return s.importRecords(ctx, s.store, actor, r, opt)
	}
	// A dry run writes every batch, each in a savepoint, in one
	// transaction that it rolls back: later batches see the earlier ones,
	// so the summary is the real run's.
	var sum ImportSummary
	ran := false
	err := s.store.Tx(ctx, func(tx Store) error {
		if ran {
			return errors.New("the database asked to retry the dry run's transaction; run it again")
		}
		ran = true
		var err error
		if sum, err = s.importRecords(ctx, tx, actor, r, opt); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return sum, err
}

// importRecords reads r to its end, writing batches through st. Records
// are decoded and checked on a goroutine of their own while the batch
// before them is written: on two cores the check of the next batch
// costs no time of the writer's.
func (s *Service) importRecords(ctx context.Context, st Store, actor *User, r RecordReader, opt ImportOptions) (ImportSummary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan checkedBatch, 1)
	go s.checkRecords(ctx, actor, r, opt.Batch, batches)
	var sum ImportSummary
	for b := range batches {
		sum.Read += len(b.recs)
		if b.err != nil {
			// The records of a batch cut short by the reader are not
			// written, as the import stops.
			return sum, b.err
		}
		if err := s.importBatch(ctx, st, actor, b.recs, opt, &sum); err != nil {
			return sum, err
		}
	}
	return sum, ctx.Err()
}

// checkedBatch is a batch of read and checked records, or the records
// read before the reader failed, and its error.
type checkedBatch struct {
	recs []pendingRecord
	err  error
}

// checkRecords reads r to its end, checks each record, and sends them to
// out in batches of n records ready to write (refusals ride along, in
// input order). It closes out when done, or stops when ctx ends.
func (s *Service) checkRecords(ctx context.Context, actor *User, r RecordReader, n int, out chan<- checkedBatch) {
	defer close(out)
	send := func(b checkedBatch) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	batch := make([]pendingRecord, 0, n)
	ready := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			send(checkedBatch{recs: batch, err: err})
			return
		}
		pr := pendingRecord{line: rec.Line}
		if name, ok := rec.Fields["name"].(string); ok {
			pr.name = name
		}
		if rec.Err != nil {
			pr.refused = reasonOf(rec.Err)
		} else {
			pr.p, pr.refused = s.checkImport(actor, rec.Fields)
		}
		if pr.refused == "" {
			ready++
		}
		batch = append(batch, pr)
		if ready == n {
			if !send(checkedBatch{recs: batch}) {
				return
			}
			batch, ready = make([]pendingRecord, 0, n), 0
		}
	}
	if len(batch) > 0 {
		send(checkedBatch{recs: batch})
	}
}

// reasonOf renders a refusal's reason: a domain error's message with its
// per-field problems.
func reasonOf(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
		msg += fmt.Sprintf(" %s %s.", name, e.Fields[name])
	}
	return msg
}

// checkImport checks one record as a create would, before anything is
// written, and returns the patch to write or the reason it is refused.
func (s *Service) checkImport(actor *User, in Patch) (Patch, string) {
	name, _ := in["name"].(string)
	if name == "" {
		return nil, "name is required."
	}
	probs := problems{}
	if r := s.nameProblem(name); r != "" {
		probs.add("name", r)
	}
	settable, p := Patch{}, Patch{}
	now := s.now()
	for k, v := range in {
		f := Users.ByName(k)
		switch {
		case f == nil:
			probs.add(k, "is not a field")
		case f.Generated:
			// Computed by the database from the counters it derives from.
		case f.Settable():
			settable[k] = v
		case !importSystemFields[k]:
			probs.add(k, "is read-only")
		case v == nil && !f.Null:
			probs.add(k, "may not be null")
		default:
			if r := f.CheckAt(v, now); r != "" {
				probs.add(k, r)
			} else if r := checkSystemValue(k, v); r != "" {
				probs.add(k, r)
			} else {
				p[k] = v
			}
		}
	}
	target := &User{Level: LevelMember}
	if lv, ok := settable["level"].(int64); ok {
		target.Level = int(lv)
	}
	if err := s.checkFields(actor, target, settable, p, probs); err != nil {
		return nil, reasonOf(err)
	}
	checkEntries(p, nil, probs)
	if err := probs.err(); err != nil {
		return nil, reasonOf(err)
	}
	deriveKeys(p)
	if err := s.checkUserBytes(nil, p, in); err != nil {
		return nil, reasonOf(err)
	}
	return p, ""
}

// checkSystemValue checks what the registry does not say about the
// system fields an import carries.
func checkSystemValue(name string, v any) string {
	switch name {
	case "password_hash":
		if h, ok := v.(string); ok && !KnownHashFormat(h) {
			return "is not an argon2id, bcrypt ($2a$, $2b$, $2y$) or Django pbkdf2_sha256 hash"
		}
	case "xid":
		if _, err := xid.FromString(v.(string)); err != nil {
			return "is not an xid"
		}
	case "sid":
		for _, c := range v.(string) {
			if c < 'a' || c > 'z' {
				return "must be 5 lowercase letters"
			}
		}
	}
	return ""
}

// importBatch writes the checked records of batch in one transaction and
// adds their outcomes to sum; refusals are reported after it commits (it
// may run again when the database asks for a retry).
//
// New users are queued and inserted by InsertUsers, many to a statement
// (a statement per row was most of an import's time on SQLite); a record
// that matches a stored user is settled at once, after the queue is
// written when it updates. When a queued insert fails (two records of
// the batch share a name, a look-alike), the records it did not write
// are written again one at a time, so that each gets its own outcome.
func (s *Service) importBatch(ctx context.Context, st Store, actor *User, batch []pendingRecord, opt ImportOptions, sum *ImportSummary) error {
	outs := make([]importOutcome, len(batch))
	reasons := make([]string, len(batch))
	err := st.Tx(ctx, func(tx Store) error {
		keptIDs := false
		var queue []int
		var queued []Patch
		sids := map[string]bool{}
		flush := func() error {
			if len(queue) == 0 {
				return nil
			}
			n, err := tx.InsertUsers(ctx, queued)
			for k, i := range queue[:n] {
				outs[i] = outCreated
				_, kept := queued[k]["id"]
				keptIDs = keptIDs || kept
			}
			switch {
			case err == nil:
			case ErrorCode(err) == Internal:
				return err
			default:
				for _, i := range queue[n:] {
					out, reason, kept, err := s.importOne(ctx, tx, actor, batch[i].p, opt.OnConflict)
					if err != nil {
						return err
					}
					outs[i], reasons[i] = out, reason
					keptIDs = keptIDs || kept
				}
			}
			queue, queued = queue[:0], queued[:0]
			clear(sids)
			return nil
		}
		for i, pr := range batch {
			if pr.refused != "" {
				outs[i], reasons[i] = outRefused, pr.refused
				continue
			}
			m, err := s.importMatch(ctx, tx, pr.p)
			if err != nil {
				return err
			}
			if m.found() {
				if opt.OnConflict == ConflictUpdate {
					if err := flush(); err != nil {
						return err
					}
				}
				if outs[i], reasons[i], err = s.importMatched(ctx, tx, actor, pr.p, m, opt.OnConflict); err != nil {
					return err
				}
				continue
			}
			c, err := s.newUserPatch(ctx, tx, pr.p, sids)
			if err != nil {
				return err
			}
			queue, queued = append(queue, i), append(queued, c)
		}
		if err := flush(); err != nil {
			return err
		}
		if err := s.recordImported(ctx, tx, actor, batch, outs); err != nil {
			return err
		}
		if keptIDs && !opt.DryRun {
			// Not in a dry run: PostgreSQL's setval ignores rollbacks.
			return tx.SyncUserIDs(ctx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, out := range outs {
		switch out {
		case outCreated:
			sum.Created++
		case outUpdated:
			sum.Updated++
		case outSkipped:
			sum.Skipped++
		case outRefused:
			sum.Refused++
			if opt.Refused != nil {
				opt.Refused(Refusal{Line: batch[i].line, Name: batch[i].name, Reason: reasons[i]})
			}
		}
	}
	if opt.Progress != nil {
		opt.Progress(*sum)
	}
	return nil
}

// importMatch holds the ids of the stored users a record's name and
// e-mail address belong to (0: none).
type importMatch struct{ byName, byEmail int64 }

func (m importMatch) found() bool { return m.byName != 0 || m.byEmail != 0 }

// importMatch looks the record's name and e-mail up; it reads ids only.
func (s *Service) importMatch(ctx context.Context, tx Store, p Patch) (importMatch, error) {
	var m importMatch
	var err error
	if m.byName, err = idBy(ctx, tx, "name_key", p["name_key"]); err != nil {
		return m, err
	}
	if key, ok := p["email_key"].(string); ok {
		m.byEmail, err = idBy(ctx, tx, "email_key", key)
	}
	return m, err
}

// idBy is UserIDBy with 0 for none.
func idBy(ctx context.Context, tx Store, column string, v any) (int64, error) {
	id, err := tx.UserIDBy(ctx, column, v)
	if ErrorCode(err) == NotFound {
		return 0, nil
	}
	return id, err
}

// importMatched settles a record that matches stored users: skipped,
// refused, or written over the user (its id, xid and sid stay).
func (s *Service) importMatched(ctx context.Context, tx Store, actor *User, p Patch, m importMatch, mode ConflictMode) (importOutcome, string, error) {
	switch {
	case mode == ConflictSkip:
		return outSkipped, "", nil
	case mode == ConflictFail && m.byName != 0:
		return outRefused, "name is already taken.", nil
	case mode == ConflictFail:
		return outRefused, "email is already taken.", nil
	case m.byName != 0 && m.byEmail != 0 && m.byName != m.byEmail:
		return outRefused, "name and email belong to different users.", nil
	}
	id := m.byName
	if id == 0 {
		id = m.byEmail
	}
	target, err := tx.FindUserByID(ctx, id)
	if err != nil {
		return importRefusal(err)
	}
	if !outranks(actor, target) {
		return outRefused, "you may not change this user.", nil
	}
	up := Patch{}
	for k, v := range p {
		up[k] = v
	}
	for _, k := range identityFields {
		delete(up, k)
	}
	u, err := tx.UpdateUser(ctx, id, up, importMeta(actor))
	if err != nil {
		return importRefusal(s.nameConflict(ctx, err, up))
	}
	if err := s.recordChange(ctx, tx, actor, target, u); err != nil {
		return 0, "", err
	}
	return outUpdated, "", nil
}

// recordImported records the users a batch created as one entry, in the
// batch's transaction: their names, since a bulk insert returns no ids.
// An updated user has an entry of its own (importMatched).
func (s *Service) recordImported(ctx context.Context, tx Store, actor *User, batch []pendingRecord, outs []importOutcome) error {
	var names []string
	for i, out := range outs {
		if out == outCreated {
			name, _ := batch[i].p["name"].(string)
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return tx.AppendAudit(ctx, s.audit(ctx, AuditUserImported, actor, nil,
		eventDiff("created", len(names), "names", names)))
}

// importRefusal refuses the record for a domain error, and stops the
// import for any other (the database failed, not the record).
func importRefusal(err error) (importOutcome, string, error) {
	if ErrorCode(err) == Internal {
		return 0, "", err
	}
	return outRefused, reasonOf(err), nil
}

// newUserPatch completes a checked record for insertion as a new user:
// the system fields a create sets, where the record has none, and its
// id only if no user holds it.
// sids, when not nil, holds the short ids of the batch's queued users.
func (s *Service) newUserPatch(ctx context.Context, tx Store, p Patch, sids map[string]bool) (Patch, error) {
	now := s.now()
	c := make(Patch, len(p)+6)
	for k, v := range p {
		c[k] = v
	}
	if id, ok := c["id"].(int64); ok {
		if taken, err := idBy(ctx, tx, "id", id); err != nil {
			return nil, err
		} else if taken != 0 {
			delete(c, "id")
		}
	}
	for k, v := range siteDefaults {
		if _, named := c[k]; !named {
			c[k] = v
		}
	}
	if _, ok := c["created_at"]; !ok {
		c["created_at"] = now
	}
	if _, ok := c["updated_at"]; !ok {
		c["updated_at"] = now
	}
	if _, ok := c["last_sid_reroll_at"]; !ok {
		c["last_sid_reroll_at"] = now.Add(-time.Hour)
	}
	if _, ok := c["xid"]; !ok {
		c["xid"] = xid.NewWithTime(c["created_at"].(time.Time)).String()
	}
	// A short id another user holds is given anew, as a create would. A
	// quarter of a million users fill 2% of the 5-letter space, so the
	// check spares most batches a failed multi-row INSERT.
	sid, _ := c["sid"].(string)
	for attempt := 0; ; attempt++ {
		if sid != "" && !sids[sid] {
			taken, err := idBy(ctx, tx, "sid", sid)
			if err != nil {
				return nil, err
			}
			if taken == 0 || attempt == sidAttempts {
				break
			}
		}
		sid = randomSID(5)
	}
	c["sid"] = sid
	if sids != nil {
		sids[sid] = true
	}
	return c, nil
}

// importOne writes one checked record by itself: matched against the
// stored users, then created. An error stops the import. kept reports a
// new user that kept its id.
func (s *Service) importOne(ctx context.Context, tx Store, actor *User, p Patch, mode ConflictMode) (out importOutcome, reason string, kept bool, err error) {
	m, err := s.importMatch(ctx, tx, p)
	if err != nil {
		return 0, "", false, err
	}
	if m.found() {
		out, reason, err = s.importMatched(ctx, tx, actor, p, m, mode)
		return out, reason, false, err
	}
	c, err := s.newUserPatch(ctx, tx, p, nil)
	if err != nil {
		return 0, "", false, err
	}
	for attempt := 1; ; attempt++ {
		_, err := tx.InsertUser(ctx, c)
		var e *Error
		if err != nil && attempt < sidAttempts && errors.As(err, &e) && e.Code == Conflict {
			// A short id or xid another user holds is given anew, as a
			// create would; an id taken meanwhile is dropped.
			switch {
			case e.Fields["sid"] != "":
				c["sid"] = randomSID(5)
				continue
			case e.Fields["xid"] != "":
				c["xid"] = xid.NewWithTime(c["created_at"].(time.Time)).String()
				continue
			case e.Fields["id"] != "":
				delete(c, "id")
				continue
			}
		}
		if err != nil {
			out, reason, err = importRefusal(s.nameConflict(ctx, err, c))
			return out, reason, false, err
		}
		_, kept = c["id"]
		return outCreated, "", kept, nil
	}
}

func importMeta(actor *User) UpdateMeta {
	if actor == System {
		return UpdateMeta{}
	}
	return UpdateMeta{By: &actor.ID}
}
