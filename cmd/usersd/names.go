package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"usersd/internal/core"
	"usersd/internal/face/danbooru"
	"usersd/internal/face/e621"
	"usersd/internal/store/sqlstore"
)

// bindFaces binds the service to every face's profile, so that names the
// CLI writes keep clear of every face's reserved words, as the server's
// do (a user made anywhere shows on every face).
func bindFaces(svc *core.Service) *core.Service {
	svc.Face(danbooru.Profile)
	svc.Face(e621.Profile)
	return svc
}

// reportNameCollisions logs, at start, each user whose name looks like an
// earlier user's: such pairs predate the skeleton column, and are left as
// they are for an operator to settle (usersd names check).
func reportNameCollisions(ctx context.Context, db *sqlstore.DB, log *slog.Logger) error {
	cs, err := db.NameCollisions(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		log.Warn("name looks like an earlier user's; left unchanged, without a skeleton (see usersd names check)",
			"id", c.ID, "name", c.Name, "looks_like_id", c.HolderID, "looks_like", c.HolderName)
	}
	return nil
}

func namesCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("names check", "List stored names that look like an earlier user's (same confusable skeleton)\nor that the name rule now refuses; such names are never changed automatically.\nExits non-zero when it lists any.")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args, getenv, stdout, stderr); err != nil {
		return err
	}
	db, _, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.NameCollisions(ctx)
	if err != nil {
		return err
	}
	ps, err := db.NameProblems(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		fmt.Fprintf(stdout, "lookalike\tid %d\t%q\tlooks like id %d\t%q\n", c.ID, c.Name, c.HolderID, c.HolderName)
	}
	for _, p := range ps {
		fmt.Fprintf(stdout, "rule\tid %d\t%q\t%s\n", p.ID, p.Name, p.Reason)
	}
	if n := len(cs) + len(ps); n > 0 {
		return fmt.Errorf("names check: %d look-alike names, %d names outside the name rule", len(cs), len(ps))
	}
	fmt.Fprintln(stdout, "names check: every name is unique by skeleton and meets the name rule")
	return nil
}
