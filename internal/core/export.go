package core

import (
	"context"

	"usersd/internal/query"
)

// ExportPage is the number of users an export reads per query.
const ExportPage = query.MaxLimit

// ExportUsers calls fn with every user that matches filter (nil: all,
// deleted users included), in id order, a page at a time by keyset on id
// (no OFFSET), so memory stays flat at any size. The filter is checked as
// the native API checks it for actor. Users come as stored, every field
// present; the password hash only to System (the CLI, which holds the
// database anyway): an admin's export has PasswordHash nil, so that a
// hash never leaves through the API (spec/fields.md: password_hash is
// read by no one; ExportsHashes). fn's error stops the export and is
// returned. fn is not called before actor and the filter are found
// good, so a caller that writes nothing until fn runs can still answer
// those errors.
// Codes: Unauthenticated, Forbidden, Invalid.
func (s *Service) ExportUsers(ctx context.Context, actor *User, filter query.Expr, fn func(*User) error) error {
	filter, err := s.exportFilter(ctx, actor, filter)
	if err != nil {
		return err
	}
	var last int64
	for {
		after := &query.Cond{Field: "id", Op: query.Gt, Value: last}
		q := query.List{Filter: collapse(and(filter, after)), Order: []query.Order{{Field: "id"}}, Limit: ExportPage, Total: false}
		users, _, err := s.store.FindUsers(ctx, q)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !ExportsHashes(actor) {
				u.PasswordHash = nil
			}
			if err := fn(u); err != nil {
				return err
			}
		}
		if len(users) < ExportPage {
			return nil
		}
		last = users[len(users)-1].ID
	}
}

// CheckExport returns the error ExportUsers would return before its
// first user, reading none: for a HEAD request, which answers as the
// export would start.
// Codes: Unauthenticated, Forbidden, Invalid.
func (s *Service) CheckExport(ctx context.Context, actor *User, filter query.Expr) error {
	_, err := s.exportFilter(ctx, actor, filter)
	return err
}

// CountExport counts the users ExportUsers would give actor, for a
// progress bar's end.
// Codes: Unauthenticated, Forbidden, Invalid.
func (s *Service) CountExport(ctx context.Context, actor *User, filter query.Expr) (int, error) {
	filter, err := s.exportFilter(ctx, actor, filter)
	if err != nil {
		return 0, err
	}
	_, n, err := s.store.FindUsers(ctx, query.List{Filter: filter, Limit: 1, Total: true})
	return n, err
}

// ExportsHashes reports whether ExportUsers gives actor password hashes,
// so that a writer knows whether to carry the password_hash column.
func ExportsHashes(actor *User) bool { return actor == System }

func (s *Service) exportFilter(ctx context.Context, actor *User, filter query.Expr) (query.Expr, error) {
	if err := s.may(ctx, NativeProfile, actor, ActExport, nil); err != nil {
		return nil, err
	}
	n := normalizer{p: NativeProfile, viewer: actor, grants: s.UpstreamHiddenSearch}
	return n.expr(filter)
}
