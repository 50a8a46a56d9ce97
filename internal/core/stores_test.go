package core_test

import (
	"context"
	"image/color"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/imaging/imagingtest"
	"usersd/internal/store/postgres"
	"usersd/internal/testdb"
)

// forEachStore runs fn as "sqlite" and "postgres" subtests, each on a
// fresh service over a fresh database (PostgreSQL is skipped when no
// server answers, and fails the test in CI).
func forEachStore(t *testing.T, fn func(t *testing.T, svc *core.Service, db core.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		svc, db := newService(t)
		fn(t, svc, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), testdb.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, core.NewService(db), db)
	})
}

// pngDataURI returns a data URI of a w×h PNG filled with c.
func pngDataURI(w, h int, c color.Color) string {
	return imagingtest.URI("image/png", imagingtest.PNG(imagingtest.Solid(w, h, c)))
}

// wantProblem fails unless err has code, reason (if not "") and a problem on
// field (if not "") containing text.
func wantProblem(t *testing.T, what string, err error, code core.Code, reason, field, text string) {
	t.Helper()
	e := core.AsError(err)
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %v %s", what, code, reason)
	case e.Code != code, reason != "" && e.Reason != reason:
		t.Errorf("%s: err = %v (reason %q), want %v %s", what, err, e.Reason, code, reason)
	case field != "" && (e.Fields[field] == "" || !strings.Contains(e.Fields[field], text)):
		t.Errorf("%s: fields = %q, want %s: …%s…", what, e.Fields, field, text)
	}
}
