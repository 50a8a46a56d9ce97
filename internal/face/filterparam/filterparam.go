// Package filterparam reads a filter in the native filter language
// (internal/query) from a request parameter, with the refusal every
// caller gives: the native API's filter parameter, its export, and the
// admin console's users table.
package filterparam

import (
	"errors"
	"fmt"

	"usersd/internal/core"
	"usersd/internal/query"
)

// Parse parses s, nil when empty; a filter the parser refuses is an
// Invalid error naming the field "filter".
func Parse(s string) (query.Expr, error) {
	if s == "" {
		return nil, nil
	}
	e, err := query.Parse(s)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, query.ErrTooComplex) {
			reason = fmt.Sprintf("is too complex (at most %d conditions, %d levels, %d bytes)", query.MaxConditions, query.MaxDepth, query.MaxFilterLength)
		}
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{"filter": reason}}
	}
	return e, nil
}
