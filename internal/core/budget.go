package core

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"usersd/internal/query"
)

// Budget bounds what one list request may cost, so that searches, however
// they are written, cannot monopolise the database or starve point reads
// (get by id or name, which never pass through it). The limits are checked
// in the core, so every face has them.
type Budget struct {
	// MaxPatterns caps the substring, wildcard and regular-expression
	// conditions of one list request, counted after structurally equal
	// conditions under one && or || collapse into one; 0 is no cap.
	MaxPatterns int
	// QueryTimeout is the deadline of one list request in the database,
	// its page and its total together: a statement timeout on PostgreSQL,
	// an interrupt on SQLite. A total the deadline cuts short is left out
	// (the page is answered); a page it cuts short is ReasonQueryTimeout.
	// 0 is none.
	QueryTimeout time.Duration
	// MaxExpensive caps the expensive list requests (see expensive) that
	// run at once; 0 is no cap.
	MaxExpensive int
	// QueueWait is how long an expensive request waits for a slot before
	// it is answered Unavailable.
	QueueWait time.Duration
}

// Budget defaults.
const (
	DefaultMaxPatterns  = 6
	DefaultQueryTimeout = 3 * time.Second
	DefaultQueueWait    = time.Second
)

// DefaultBudget is the production budget: 6 pattern conditions, a 3 s
// deadline, and as many expensive requests at once as the process may use
// CPUs (GOMAXPROCS), each waiting at most 1 s for its turn. On SQLite the
// read pool keeps twice that many connections (at least 4), so point reads
// always find one free.
func DefaultBudget() Budget {
	return Budget{
		MaxPatterns:  DefaultMaxPatterns,
		QueryTimeout: DefaultQueryTimeout,
		MaxExpensive: runtime.GOMAXPROCS(0),
		QueueWait:    DefaultQueueWait,
	}
}

// expensiveOffset is the offset from which a numbered page counts as
// expensive: the database reads and drops every skipped row.
const expensiveOffset = 10_000

// cost is what a normalized filter asks of the database.
type cost struct {
	patterns int // substring, wildcard and regex conditions: trigram or full scans
	subs     int // sub-selects over users (inviter in users(…)) or their relations (groups)
	json     int // JSON containment: index-backed on PostgreSQL, a scan on SQLite
}

func (c *cost) add(e query.Expr) {
	switch x := e.(type) {
	case query.And:
		for _, y := range x {
			c.add(y)
		}
	case query.Or:
		for _, y := range x {
			c.add(y)
		}
	case query.Not:
		c.add(x.X)
	case query.Sub:
		c.subs++
		c.add(x.Filter)
	case *query.Cond:
		switch x.Op {
		case query.Contains, query.Like, query.Regex:
			c.patterns++
		case query.JSONContains:
			c.json++
		}
		if relationFields[x.Field] != nil {
			c.subs++
		}
	}
}

// checkCost refuses a list request over the budget before it runs, and
// reports whether it is expensive: it searches by pattern, sub-select or
// JSON containment, counts a total, skips many rows, or sorts on an
// unindexed field.
func (b Budget) checkCost(filter query.Expr, in ListRequest, order []query.Order) (expensive bool, err error) {
	var c cost
	c.add(filter)
	if b.MaxPatterns > 0 && c.patterns > b.MaxPatterns {
		return false, &Error{Code: Invalid, Reason: ReasonQueryTooCostly,
			Message: fmt.Sprintf("The search is too costly: it has %d substring, wildcard or regular-expression conditions, at most %d are allowed.", c.patterns, b.MaxPatterns),
			Fields:  map[string]string{"filter": fmt.Sprintf("has %d substring, wildcard or regular-expression conditions; at most %d", c.patterns, b.MaxPatterns)}}
	}
	expensive = c.patterns > 0 || c.subs > 0 || c.json > 0 || in.Total || in.Offset >= expensiveOffset
	for _, o := range order {
		if f := FieldByName(o.Field); f != nil && !f.Sort {
			expensive = true
		}
	}
	return expensive, nil
}

// slots is the semaphore of expensive list requests, made on first use
// from the Budget then in force.
type slots struct {
	once sync.Once
	ch   chan struct{} // nil: no cap
}

func (s *slots) get(n int) chan struct{} {
	s.once.Do(func() {
		if n > 0 {
			s.ch = make(chan struct{}, n)
		}
	})
	return s.ch
}

// acquire takes a slot for an expensive request, waiting at most
// QueueWait; release gives it back.
func (s *Service) acquire(ctx context.Context) (release func(), err error) {
	ch := s.expensive.get(s.Budget.MaxExpensive)
	if ch == nil {
		return func() {}, nil
	}
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	default:
	}
	t := time.NewTimer(s.Budget.QueueWait)
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		// A slot frees within one query deadline: by then every running
		// search has finished or been stopped.
		retry := max(s.Budget.QueryTimeout.Round(time.Second), time.Second)
		return nil, &Error{Code: Unavailable, Reason: ReasonOverloaded, RetryAfter: retry,
			Message: "Too many searches are running; try again shortly."}
	}
}

// findUsers runs one page request against the store within the budget:
// expensive requests take a slot, and every request runs under the
// database deadline.
func (s *Service) findUsers(ctx context.Context, q query.List, expensive bool) ([]*User, int, error) {
	if expensive {
		release, err := s.acquire(ctx)
		if err != nil {
			return nil, 0, err
		}
		defer release()
	}
	d := s.Budget.QueryTimeout
	if d <= 0 {
		return s.store.FindUsers(ctx, q)
	}
	qctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	users, total, err := s.store.FindUsers(qctx, q)
	if err != nil && ctx.Err() == nil &&
		(ErrorReason(err) == ReasonQueryTimeout || errors.Is(qctx.Err(), context.DeadlineExceeded)) {
		return nil, 0, &Error{Code: Invalid, Reason: ReasonQueryTimeout, Err: err,
			Message: fmt.Sprintf("The search took longer than %s and was stopped; narrow it down.", d)}
	}
	return users, total, err
}

// collapse flattens nested && and || of one kind and drops conditions
// structurally equal to an earlier one beside them: x && x is x, and
// x || x is x, in SQL's three-valued logic too. It returns e itself when
// nothing collapses.
func collapse(e query.Expr) query.Expr {
	switch x := e.(type) {
	case query.And:
		return collapseList(x, func(out []query.Expr) query.Expr { return query.And(out) })
	case query.Or:
		return collapseList(x, func(out []query.Expr) query.Expr { return query.Or(out) })
	case query.Not:
		return query.Not{X: collapse(x.X)}
	case query.Sub:
		return query.Sub{Field: x.Field, Filter: collapse(x.Filter)}
	}
	return e
}

func collapseList[L query.And | query.Or](xs L, mk func([]query.Expr) query.Expr) query.Expr {
	seen := map[string]bool{}
	var out []query.Expr
	var walk func(L)
	walk = func(xs L) {
		for _, y := range xs {
			if inner, same := y.(L); same {
				walk(inner)
				continue
			}
			y = collapse(y)
			k := exprKey(y)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, y)
		}
	}
	walk(xs)
	if len(out) == 1 {
		return out[0]
	}
	return mk(out)
}

// exprKey spells e so that two expressions have one key exactly when they
// are structurally equal: values carry their Go type.
func exprKey(e query.Expr) string {
	switch x := e.(type) {
	case nil:
		return "nil"
	case query.And:
		return listKey("and", x)
	case query.Or:
		return listKey("or", x)
	case query.Not:
		return "not(" + exprKey(x.X) + ")"
	case query.Sub:
		return fmt.Sprintf("sub(%q,%s)", x.Field, exprKey(x.Filter))
	case *query.Cond:
		k := fmt.Sprintf("cond(%q,%d,%t,%s", x.Field, x.Op, x.CaseSensitive, valueKey(x.Value))
		for _, v := range x.Values {
			k += "," + valueKey(v)
		}
		return k + ")"
	case query.Cond:
		return exprKey(&x)
	}
	return fmt.Sprintf("%T:%#v", e, e)
}

func listKey(kind string, xs []query.Expr) string {
	k := kind + "("
	for i, y := range xs {
		if i > 0 {
			k += ","
		}
		k += exprKey(y)
	}
	return k + ")"
}

func valueKey(v any) string {
	if t, ok := v.(time.Time); ok {
		return "time:" + t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T:%q", v, fmt.Sprint(v))
}
