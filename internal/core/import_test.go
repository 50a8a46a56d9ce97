package core_test

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"

	"usersd/internal/core"
	"usersd/internal/query"
)

// records is a RecordReader over a slice, numbered from line 1.
type records struct {
	ps []core.Patch
	i  int
}

func (r *records) Next() (core.ImportRecord, error) {
	if r.i == len(r.ps) {
		return core.ImportRecord{}, io.EOF
	}
	r.i++
	return core.ImportRecord{Line: r.i, Fields: r.ps[r.i-1]}, nil
}

func importAll(t *testing.T, svc *core.Service, opt core.ImportOptions, ps ...core.Patch) (core.ImportSummary, []core.Refusal) {
	t.Helper()
	var refused []core.Refusal
	opt.Refused = func(r core.Refusal) { refused = append(refused, r) }
	sum, err := svc.Import(context.Background(), core.System, &records{ps: ps}, opt)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum, refused
}

func countUsers(t *testing.T, db core.Store) int {
	t.Helper()
	_, n, err := db.FindUsers(context.Background(), query.List{Limit: 1, Total: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// foreignHashes are "lètmein" hashed as other systems store it.
func foreignHashes(t *testing.T) map[string]string {
	bc, err := bcrypt.GenerateFromPassword([]byte("lètmein"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	a2 := argon2.IDKey([]byte("lètmein"), salt, 1, 8192, 1, 32)
	dj, err := pbkdf2.Key(sha256.New, "lètmein", []byte("seasalt"), 1000, 32)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"fromargon":  fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(a2)),
		"from2a":     "$2a$" + string(bc[4:]),
		"from2b":     "$2b$" + string(bc[4:]),
		"from2y":     "$2y$" + string(bc[4:]),
		"fromdjango": "pbkdf2_sha256$1000$seasalt$" + base64.StdEncoding.EncodeToString(dj),
	}
}

// TestImportForeignHashes: users imported with argon2id (other
// parameters), bcrypt 2a/2b/2y and Django hashes log in with their old
// password and are rehashed to argon2id; other hash formats are refused.
func TestImportForeignHashes(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		hashes := foreignHashes(t)
		var ps []core.Patch
		for name, h := range hashes {
			ps = append(ps, core.Patch{"name": name, "password_hash": h})
		}
		bad := []string{"md5$abc$def", "$2x$10$" + strings.Repeat("a", 53), "$2a$10$short", "pbkdf2_sha1$1000$s$aGk=",
			"$argon2i$v=19$m=8192,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=16$m=8192,t=1,p=1$c2FsdA$a2V5", "plaintext"}
		for i, h := range bad {
			ps = append(ps, core.Patch{"name": fmt.Sprintf("bad%d", i), "password_hash": h})
		}
		sum, refused := importAll(t, svc, core.ImportOptions{}, ps...)
		if sum.Created != len(hashes) || sum.Refused != len(bad) || len(refused) != len(bad) {
			t.Fatalf("summary %+v, refused %v", sum, refused)
		}
		for i, r := range refused {
			if r.Line != len(hashes)+i+1 || !strings.Contains(r.Reason, "password_hash is not an argon2id, bcrypt") {
				t.Errorf("refusal %d: %+v", i, r)
			}
		}
		for name := range hashes {
			if _, _, _, err := svc.Login(ctx, name, "wrong", netip.Addr{}); core.ErrorCode(err) != core.Unauthenticated {
				t.Errorf("%s wrong password: %v", name, err)
			}
			if _, _, _, err := svc.Login(ctx, name, "lètmein", netip.Addr{}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			u, err := svc.GetUserByName(ctx, core.System, name)
			if err != nil || !strings.HasPrefix(*u.PasswordHash, "$argon2id$v=19$m=19456,") {
				t.Errorf("%s: hash after login = %v (%v), want argon2id at the current parameters", name, u, err)
			}
		}
	})
}

// TestImportRefusals: a bad record is refused with its line and reason and
// writes nothing; the good records around it are written.
func TestImportRefusals(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		sum, refused := importAll(t, svc, core.ImportOptions{Batch: 3},
			core.Patch{"name": "good1", "bio": "hi"},
			core.Patch{"name": "bad level", "level": int64(99)},
			core.Patch{"bio": "no name"},
			core.Patch{"name": "good2", "email": "g2@example.com"},
			core.Patch{"name": "x", "name_key": "x"},
			core.Patch{"name": "dupmail", "email": "G2@example.com"},
			core.Patch{"name": "GOOD1"},
			core.Patch{"name": "badsid", "sid": "ABCDE"},
			core.Patch{"name": "inviter", "inviter_id": int64(424242)},
			core.Patch{"name": "good3", "created_at": time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)},
		)
		want := map[int]string{2: "level", 3: "name is required", 5: "name_key is read-only", 6: "email is already taken",
			7: "name is already taken", 8: "sid must be 5 lowercase letters", 9: "referenced record does not exist"}
		if sum.Created != 3 || sum.Refused != len(want) || sum.Read != 10 {
			t.Errorf("summary %+v", sum)
		}
		for _, r := range refused {
			if w := want[r.Line]; w == "" || !strings.Contains(r.Reason, w) {
				t.Errorf("line %d refused: %q, want …%s…", r.Line, r.Reason, w)
			}
		}
		if n := countUsers(t, db); n != 3 {
			t.Errorf("%d users stored, want 3", n)
		}
		u, err := svc.GetUserByName(context.Background(), core.System, "good3")
		if err != nil || !u.CreatedAt.Equal(time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)) {
			t.Errorf("good3: %v %v", u, err)
		}
	})
}

// TestImportConflicts: skip, update and fail, matching by name
// case-insensitively or by e-mail; a re-run creates nothing; a dry run
// counts as a real run does and writes nothing.
func TestImportConflicts(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		importAll(t, svc, core.ImportOptions{}, core.Patch{"name": "Ann", "email": "ann@example.com", "bio": "old"},
			core.Patch{"name": "Bob", "bio": "old"})
		in := []core.Patch{
			{"name": "ANN", "bio": "new"},
			{"name": "robert", "email": "ann@example.com", "bio": "by mail"},
			{"name": "bob", "bio": "new"},
			{"name": "cy", "bio": "new"},
		}
		dry, dryRefused := importAll(t, svc, core.ImportOptions{OnConflict: core.ConflictUpdate, DryRun: true}, in...)
		if n := countUsers(t, db); n != 2 {
			t.Errorf("dry run stored users: %d", n)
		}
		if u, _ := svc.GetUserByName(ctx, core.System, "ann"); *u.Bio != "old" {
			t.Errorf("dry run changed ann: %q", *u.Bio)
		}
		sum, refused := importAll(t, svc, core.ImportOptions{OnConflict: core.ConflictUpdate}, in...)
		if sum != dry || len(refused) != len(dryRefused) {
			t.Errorf("dry run %+v %v, real run %+v %v", dry, dryRefused, sum, refused)
		}
		// Ann's record and Robert's (Ann's e-mail) both update Ann; Bob updated; Cy created.
		if sum.Created != 1 || sum.Updated != 3 || sum.Refused != 0 {
			t.Errorf("update: %+v %v", sum, refused)
		}
		if u, _ := svc.GetUserByName(ctx, core.System, "robert"); u == nil || *u.Bio != "by mail" || *u.Email != "ann@example.com" {
			t.Errorf("robert (renamed ann): %+v", u)
		}
		if u, _ := svc.GetUserByName(ctx, core.System, "bob"); *u.Bio != "new" || u.Name != "bob" {
			t.Errorf("bob: %q %q", u.Name, *u.Bio)
		}
		// Ann is Robert now: ANN is new, the rest are skipped; a second
		// run creates nothing.
		for _, want := range []int{1, 0} {
			sum, _ = importAll(t, svc, core.ImportOptions{OnConflict: core.ConflictSkip}, in...)
			if sum.Skipped != 4-want || sum.Created != want {
				t.Errorf("skip: %+v", sum)
			}
		}
		sum, refused = importAll(t, svc, core.ImportOptions{OnConflict: core.ConflictFail}, append(in, core.Patch{"name": "dee"})...)
		if sum.Refused != 4 || sum.Created != 1 || refused[0].Reason != "name is already taken." {
			t.Errorf("fail: %+v %v", sum, refused)
		}
		if n := countUsers(t, db); n != 5 {
			t.Errorf("%d users, want 5", n)
		}
	})
}

// TestImportKeepsFreeIDs: a record's id is kept when free, replaced when
// taken; creates after an import get ids past the imported ones.
func TestImportKeepsFreeIDs(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		importAll(t, svc, core.ImportOptions{}, core.Patch{"id": int64(7), "name": "seven"}, core.Patch{"id": int64(7), "name": "other"})
		a, _ := svc.GetUserByName(ctx, core.System, "seven")
		b, _ := svc.GetUserByName(ctx, core.System, "other")
		if a.ID != 7 || b.ID == 7 {
			t.Errorf("ids: seven %d, other %d", a.ID, b.ID)
		}
		u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "later"})
		if err != nil || u.ID <= max(a.ID, b.ID) {
			t.Errorf("create after import: %v %v", u, err)
		}
	})
}

// TestExportUsers: id order across pages, the native filter, hashes to
// System only, admins only.
func TestExportUsers(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		var ps []core.Patch
		hash := foreignHashes(t)["fromdjango"]
		for i := range core.ExportPage + 5 {
			ps = append(ps, core.Patch{"name": fmt.Sprintf("u%04d", i), "level": int64(20 + 10*(i%2)), "password_hash": hash})
		}
		importAll(t, svc, core.ImportOptions{Batch: 400}, ps...)
		var ids []int64
		err := svc.ExportUsers(ctx, core.System, nil, func(u *core.User) error {
			if u.PasswordHash == nil {
				t.Fatal("System export lacks the hash")
			}
			ids = append(ids, u.ID)
			return nil
		})
		if err != nil || len(ids) != len(ps) {
			t.Fatalf("export: %d users, %v", len(ids), err)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				t.Fatalf("not in id order at %d", i)
			}
		}
		f, _ := query.Parse("level = 30")
		admin := &core.User{ID: 1, Level: core.LevelAdmin, Active: true}
		n := 0
		err = svc.ExportUsers(ctx, admin, f, func(u *core.User) error {
			n++
			if u.Level != 30 || u.PasswordHash != nil {
				t.Fatalf("admin export: level %d, hash %v", u.Level, u.PasswordHash)
			}
			return nil
		})
		if c, _ := svc.CountExport(ctx, admin, f); err != nil || n != (len(ps))/2 || c != n {
			t.Errorf("filtered export: %d users (count %d), %v", n, c, err)
		}
		// Admins alone export and import; anonymous callers are asked to
		// authenticate (the API's 401), others refused (403).
		for _, c := range []struct {
			who   string
			actor *core.User
			want  core.Code
		}{
			{"anonymous", nil, core.Unauthenticated},
			{"moderator", &core.User{ID: 1, Level: core.LevelModerator, Active: true}, core.Forbidden},
			{"banned admin", &core.User{ID: 1, Level: core.LevelAdmin, Active: true, Banned: true}, core.Forbidden},
		} {
			if err := svc.ExportUsers(ctx, c.actor, nil, nil); core.ErrorCode(err) != c.want {
				t.Errorf("%s export: %v, want %v", c.who, err, c.want)
			}
			if _, err := svc.Import(ctx, c.actor, nil, core.ImportOptions{}); core.ErrorCode(err) != c.want {
				t.Errorf("%s import: %v, want %v", c.who, err, c.want)
			}
		}
		bad, err := query.Parse(`password_hash = "x"`)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.ExportUsers(ctx, admin, bad, func(*core.User) error { return nil }); core.ErrorCode(err) != core.Invalid && core.ErrorCode(err) != core.Forbidden {
			t.Errorf("filter on the hash: %v", err)
		}
	})
}

// blockingRecords signals reading at its first Next, then waits for
// release before ending the input.
type blockingRecords struct {
	reading, release chan struct{}
}

func (b *blockingRecords) Next() (core.ImportRecord, error) {
	close(b.reading)
	<-b.release
	return core.ImportRecord{}, io.EOF
}

// TestImportOneAtATime: an import while another runs is refused at once
// as a Conflict, before its Ready runs or its records are read; when the
// first ends, the next runs; a failing Ready gives the slot back.
func TestImportOneAtATime(t *testing.T) {
	forEachStore(t, func(t *testing.T, svc *core.Service, db core.Store) {
		ctx := context.Background()
		first := &blockingRecords{reading: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error, 1)
		go func() {
			_, err := svc.Import(ctx, core.System, first, core.ImportOptions{})
			done <- err
		}()
		<-first.reading

		second := &records{ps: []core.Patch{{"name": "second"}}}
		readied := false
		_, err := svc.Import(ctx, core.System, second, core.ImportOptions{Ready: func() error { readied = true; return nil }})
		wantProblem(t, "second import", err, core.Conflict, core.ReasonImportRunning, "", "already running")
		if readied || second.i != 0 {
			t.Errorf("the refused import ran Ready (%v) or read %d records", readied, second.i)
		}

		close(first.release)
		if err := <-done; err != nil {
			t.Fatalf("first import: %v", err)
		}
		stop := errors.New("spool failed")
		if _, err := svc.Import(ctx, core.System, second, core.ImportOptions{Ready: func() error { return stop }}); err != stop {
			t.Fatalf("Ready's error: got %v, want %v", err, stop)
		}
		if sum, _ := importAll(t, svc, core.ImportOptions{}, core.Patch{"name": "third"}); sum.Created != 1 {
			t.Errorf("the import after: %v", sum)
		}
	})
}
