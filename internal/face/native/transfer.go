package native

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// The bulk routes: the formats of usersd import and export (bulk.go),
// streamed over HTTP for admins.

// streamIdle is how long a streamed export or import waits on the other
// end: the server's ReadTimeout and WriteTimeout bound whole requests,
// which a bulk transfer outlasts.
const streamIdle = time.Minute

// exportFlushEvery is the longest rows wait in buffers before they are
// sent, so that a slow, sparse export still shows progress.
const exportFlushEvery = time.Second

// MaxReportedRefusals bounds the refusals an import's answer lists; the
// summary's refused counts them all.
const MaxReportedRefusals = 1000

var (
	exportParams = map[string]bool{"filter": true, "format": true}
	importParams = map[string]bool{"on_conflict": true, "dry_run": true}
)

// errBulkType is an import body under a type that is neither format's:
// answered 415.
var errBulkType = &core.Error{Code: core.Invalid, Message: "Content-Type must be application/x-ndjson (JSONL) or text/csv."}

// handleUserExport handles "GET /users/export" (and HEAD, which answers
// the GET's status and headers without reading a user): every user the
// filter matches, in id order, streamed as JSONL or CSV. Errors found
// before the first row are problems as anywhere; one after it (the database
// failing mid-way) aborts the response, so that the body ends without
// HTTP/1.1's last chunk (or with an HTTP/2 reset), which clients report
// as a truncated transfer: a body that ends cleanly is the whole export.
func handleUserExport(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		caller := httpx.Caller(ctx)
		if err := svc.May(ctx, caller, core.ActExport, nil); err != nil {
			writeError(w, r, log, err)
			return
		}
		q := r.URL.Query()
		var filter query.Expr
		err := checkParams(q, exportParams, "the export")
		if err == nil {
			filter, err = parseFilter(q.Get("filter"))
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		format, ok := exportFormat(q.Get("format"), r.Header.Get("Accept"))
		switch {
		case format == "":
			writeError(w, r, log, core.FieldError("format", "must be jsonl or csv"))
			return
		case !ok:
			writeStatus(w, http.StatusNotAcceptable, "Accept allows neither application/x-ndjson nor text/csv.")
			return
		}
		if r.Method == http.MethodHead {
			// The headers a GET would send, without reading a user.
			if err := svc.CheckExport(ctx, caller, filter); err != nil {
				writeError(w, r, log, err)
				return
			}
			startExport(w, format)
			return
		}
		uw, err := NewUserWriter(format, w, core.ExportsHashes(caller))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		st := newExportStream(w, r, log, func() { startExport(w, format) }, uw.Flush)
		st.finish(svc.ExportUsers(ctx, caller, filter, func(u *core.User) error {
			return st.row(func() error { return uw.Write(u) })
		}))
	})
}

// exportStream sends an export's rows as they are read. The headers go
// out (start) at the first row, or at the end of an export of none, so
// that an error before any row is still a problem; buffered rows are sent
// at least every exportFlushEvery, each send moving the write deadline;
// an error after the first row aborts the response (handleUserExport).
type exportStream struct {
	w       http.ResponseWriter
	r       *http.Request
	log     *slog.Logger
	start   func()
	buffer  func() error // flushes the writer's own buffer into w
	rc      *http.ResponseController
	started bool
	last    time.Time
}

func newExportStream(w http.ResponseWriter, r *http.Request, log *slog.Logger, start func(), buffer func() error) *exportStream {
	httpx.ExtendWrite(w, streamIdle)
	return &exportStream{w: w, r: r, log: log, start: start, buffer: buffer, rc: http.NewResponseController(w), last: time.Now()}
}

// row writes one row through write, starting the response first.
func (st *exportStream) row(write func() error) error {
	if !st.started {
		st.started = true
		st.start()
	}
	if err := write(); err != nil {
		return err
	}
	if time.Since(st.last) >= exportFlushEvery {
		st.last = time.Now()
		return st.flush()
	}
	return nil
}

func (st *exportStream) flush() error {
	if err := st.buffer(); err != nil {
		return err
	}
	httpx.ExtendWrite(st.w, streamIdle)
	if err := st.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// finish ends the export that err ended.
func (st *exportStream) finish(err error) {
	switch {
	case err == nil:
		if !st.started {
			st.started = true
			st.start()
		}
		err = st.flush()
	case !st.started:
		writeError(st.w, st.r, st.log, err)
		return
	}
	if err != nil {
		if ctx := st.r.Context(); ctx.Err() == nil {
			st.log.Error("export stopped", "request_id", httpx.RequestID(ctx), "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

// startExport sends the headers of an export in format.
func startExport(w http.ResponseWriter, format string) {
	h := w.Header()
	h.Set("Content-Type", bulkTypes[format])
	h.Set("Content-Disposition", `attachment; filename="users.`+format+`"`)
	w.WriteHeader(http.StatusOK)
}

// exportFormat picks the export's format: format= when given (""
// when it names none), else by Accept, JSONL unless text/csv is
// preferred; ok is false when Accept excludes both.
func exportFormat(param, accept string) (format string, ok bool) {
	if param != "" {
		if _, known := bulkTypes[param]; !known {
			return "", true
		}
		return param, true
	}
	mt, ok := httpx.Negotiate(accept, []string{bulkTypes["jsonl"], bulkTypes["csv"]})
	if mt == bulkTypes["csv"] {
		return "csv", ok
	}
	return "jsonl", ok
}

// importAnswer is the answer of POST /users/import.
type importAnswer struct {
	DryRun   bool            `json:"dry_run"`
	Read     int             `json:"read"`
	Created  int             `json:"created"`
	Updated  int             `json:"updated"`
	Skipped  int             `json:"skipped"`
	Refused  int             `json:"refused"`
	Refusals []importRefusal `json:"refusals"`
}

type importRefusal struct {
	Line   int    `json:"line"`
	Name   string `json:"name,omitempty"`
	Reason string `json:"reason"`
}

// handleUserImport handles "POST /users/import": the body, JSONL or CSV
// by its Content-Type, read as it arrives (within maxBytes) and imported
// as usersd import does. The answer is the summary with the first
// MaxReportedRefusals refusals; an error that stops the import is a
// problem whose detail gives the summary so far (whole batches before it
// are written, as with the CLI; run it again with on_conflict=skip).
// While another import runs on the service it is refused at once, 409,
// its body unread.
func handleUserImport(svc *core.Face, log *slog.Logger, maxBytes int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		caller := httpx.Caller(ctx)
		if err := svc.May(ctx, caller, core.ActImport, nil); err != nil {
			writeError(w, r, log, err)
			return
		}
		opt, err := parseImport(r.URL.Query())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		format, err := importFormat(r.Header.Get("Content-Type"))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if r.ContentLength > maxBytes {
			writeError(w, r, log, bodyTooLarge(&http.MaxBytesError{Limit: maxBytes}))
			return
		}
		body := httpx.StreamBody(w, r, maxBytes, streamIdle)
		records := bodyRecords{}
		var spool spoolFile
		defer func() {
			if spool.File != nil {
				spool.Close()
			}
		}()
		// ready runs once the core lets this import run (one runs at a
		// time), so that one refused has read nothing of its body.
		ready := false
		opt.Ready = func() error {
			if opt.DryRun {
				// A dry run imports in one transaction it rolls back,
				// which would hold the database's writer (SQLite's only
				// one) while the client uploads: the body is spooled to
				// disk first.
				var err error
				if spool, err = spoolBody(body); err != nil {
					return err
				}
				body = spool
			}
			var err error
			records.RecordReader, err = NewUserReader(format, body)
			ready = err == nil
			return err
		}
		answer := importAnswer{DryRun: opt.DryRun, Refusals: []importRefusal{}}
		opt.Refused = func(rf core.Refusal) {
			if len(answer.Refusals) < MaxReportedRefusals {
				answer.Refusals = append(answer.Refusals, importRefusal(rf))
			}
		}
		sum, err := svc.Import(ctx, caller, &records, opt)
		httpx.ExtendWrite(w, streamIdle)
		if err != nil {
			// An error before the import ran (another import running, a
			// dry run's body unread) is answered as it is: nothing was
			// imported.
			if e := core.AsError(err); e.Code != core.Internal && ready {
				stopped := *e
				stopped.Message = fmt.Sprintf("Import stopped after %s (the batches before it are written): %s", sum, e.Message)
				err = &stopped
			}
			writeError(w, r, log, err)
			return
		}
		answer.Read, answer.Created, answer.Updated, answer.Skipped, answer.Refused = sum.Read, sum.Created, sum.Updated, sum.Skipped, sum.Refused
		httpx.JSON(w, http.StatusOK, "application/json", answer)
	})
}

// parseImport reads the import's parameters.
func parseImport(q url.Values) (core.ImportOptions, error) {
	var opt core.ImportOptions
	if err := checkParams(q, importParams, "the import"); err != nil {
		return opt, err
	}
	mode := q.Get("on_conflict")
	if mode == "" {
		mode = "skip"
	}
	var err error
	if opt.OnConflict, err = core.ParseConflictMode(mode); err != nil {
		return opt, core.FieldError("on_conflict", "must be skip, update or fail")
	}
	opt.DryRun, err = boolParam(q, "dry_run")
	return opt, err
}

// importFormat is the format of an import body by its media type.
func importFormat(contentType string) (string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil {
		for format, t := range bulkTypes {
			if mt == t {
				return format, nil
			}
		}
	}
	return "", errBulkType
}

// bodyRecords reads an import's records from a request body: an error
// that stops the reader is the request's fault, never the server's.
type bodyRecords struct{ core.RecordReader }

func (b bodyRecords) Next() (core.ImportRecord, error) {
	rec, err := b.RecordReader.Next()
	if err != nil && err != io.EOF && core.ErrorCode(err) == core.Internal {
		err = readFailure(err)
	}
	return rec, err
}

// readFailure describes an error reading the body.
func readFailure(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bodyTooLarge(tooBig)
	}
	return &core.Error{Code: core.Invalid, Message: "Request body could not be read.", Err: err}
}

func bodyTooLarge(err *http.MaxBytesError) error {
	return &core.Error{Code: core.Invalid, Message: fmt.Sprintf("Request body is larger than %d bytes (usersd serve --max-import-bytes).", err.Limit), Err: err}
}

// spoolFile is a temporary copy of a body, removed on Close.
type spoolFile struct{ *os.File }

func (s spoolFile) Close() error {
	s.File.Close()
	return os.Remove(s.Name())
}

// spoolBody copies body to a temporary file and returns it for reading.
// A failed read is the request's fault (readFailure), a failed write the
// server's.
func spoolBody(body io.Reader) (spoolFile, error) {
	f, err := os.CreateTemp("", "usersd-import-*")
	if err != nil {
		return spoolFile{}, err
	}
	s := spoolFile{f}
	src := &readErr{r: body}
	if _, err := io.Copy(f, src); err != nil {
		s.Close()
		if src.err != nil {
			err = readFailure(src.err)
		}
		return spoolFile{}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.Close()
		return spoolFile{}, err
	}
	return s, nil
}

// readErr remembers the error its reader returned.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}
