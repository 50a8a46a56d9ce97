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

// auditEntry is the wire shape of a core.AuditEntry: its registry names.
type auditEntry struct {
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
}

func toAuditEntry(e *core.AuditEntry) auditEntry {
	out := auditEntry{ID: e.ID, At: e.At.UTC().Format(timeFormat), Action: e.Action, ActorID: e.ActorID, ActorName: e.ActorName,
		TargetID: e.TargetID, TargetName: e.TargetName, Face: e.Face, RequestID: e.RequestID, Diff: e.Diff}
	if e.Addr.IsValid() {
		a := e.Addr.String()
		out.Addr = &a
	}
	return out
}

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
			Entries    []auditEntry `json:"entries"`
			NextCursor *string      `json:"next_cursor"`
		}{Entries: make([]auditEntry, 0, len(page.Entries))}
		for _, e := range page.Entries {
			out.Entries = append(out.Entries, toAuditEntry(e))
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
			return st.row(func() error { return enc.Encode(toAuditEntry(e)) })
		}))
	})
}
