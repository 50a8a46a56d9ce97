package native

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

var auditParams = map[string]bool{"filter": true, "limit": true, "cursor": true}

// handleAuditList handles "GET /audit": the audit log, newest first.
func handleAuditList(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		in := core.AuditRequest{Limit: 50, Cursor: q.Get("cursor")}
		err := checkParams(q, auditParams, "the audit log")
		if err == nil && q.Has("limit") {
			in.Limit, err = strconv.Atoi(q.Get("limit"))
			if err != nil {
				err = core.FieldError("limit", fmt.Sprintf("must be an integer from 1 to %d", query.MaxLimit))
			}
		}
		if err == nil {
			in.Filter, err = parseFilter(q.Get("filter"))
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		page, err := svc.ListAudit(r.Context(), httpx.Caller(r.Context()), in)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := struct {
			Entries    []*core.AuditEntry `json:"entries"`
			NextCursor *string            `json:"next_cursor"`
		}{Entries: page.Entries}
		if out.Entries == nil {
			out.Entries = []*core.AuditEntry{}
		}
		if page.NextCursor != "" {
			out.NextCursor = &page.NextCursor
		}
		httpx.JSON(w, http.StatusOK, "application/json", out)
	})
}

// handleAuditExport handles "GET /audit/export": every entry matching
// the filter, oldest first, as JSON lines, streamed.
func handleAuditExport(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		caller := httpx.Caller(ctx)
		if err := svc.May(ctx, caller, core.ActAudit, nil); err != nil {
			writeError(w, r, log, err)
			return
		}
		q := r.URL.Query()
		var filter query.Expr
		err := checkParams(q, map[string]bool{"filter": true}, "the audit export")
		if err == nil {
			filter, err = parseFilter(q.Get("filter"))
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		enc := json.NewEncoder(bw)
		st := newExportStream(w, r, log, func() {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
		}, bw.Flush)
		st.finish(svc.ExportAudit(ctx, caller, filter, func(e *core.AuditEntry) error {
			return st.row(func() error { return enc.Encode(e) })
		}))
	})
}
