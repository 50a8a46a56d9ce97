package native_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// export fetches GET /v1/users/export with the query and Accept given and
// returns the body, checking the status and media type.
func export(t *testing.T, s *facetest.Server, token, query, accept, wantType string) string {
	t.Helper()
	req, err := http.NewRequest("GET", s.Base+"/v1/users/export?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	r := s.Send(req)
	if r.Status != 200 || r.Header.Get("Content-Type") != wantType {
		t.Fatalf("export %s: %d %s\n%s", query, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	return string(r.Body)
}

// importBody posts body to /v1/users/import and returns the summary.
func importBody(t *testing.T, s *facetest.Server, token, query, ctype, body string, status int) map[string]any {
	t.Helper()
	return s.Want(s.DoType("POST", "/v1/users/import?"+query, token, body, ctype), status)
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// TestBulkRoundTrip: users with every field set, imported through the
// API, export with each value as given (but the password hash, which no
// admin is given); the export imported into an empty database exports
// byte for byte the same, in JSONL and in CSV; the export's filter is the
// listing's.
func TestBulkRoundTrip(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, owner := s.Admin("root", 60)
		in := [][]byte{facetest.FullRecord(t, 0, 0), facetest.FullRecord(t, 1, 100), facetest.FullRecord(t, 2, 101)}
		sum := importBody(t, s, owner, "", "application/x-ndjson", string(bytes.Join(in, []byte("\n"))), 200)
		if sum["created"] != 3.0 || sum["refused"] != 0.0 {
			t.Fatalf("import: %v", sum)
		}
		filter := "filter=" + url.QueryEscape("id >= 100")
		first := export(t, s, owner, filter, "", "application/x-ndjson")
		got := lines(first)
		if len(got) != len(in) {
			t.Fatalf("export has %d lines, want %d:\n%s", len(got), len(in), first)
		}
		for i, line := range got {
			var want, have map[string]any
			json.Unmarshal(in[i], &want)
			if err := json.Unmarshal([]byte(line), &have); err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			if _, ok := have["password_hash"]; ok {
				t.Errorf("user %d: an admin's export carries the password hash", i)
			}
			delete(want, "password_hash")
			facetest.SameRecord(t, i, want, have)
		}
		// The listing's filter language, errors and all.
		if out := export(t, s, owner, "filter="+url.QueryEscape(`name = "full_1" || name = "root"`), "", "application/x-ndjson"); len(lines(out)) != 2 || !strings.Contains(out, `"name":"Full_1"`) {
			t.Errorf("filtered export:\n%s", out)
		}
		if p := s.Want(s.Do("GET", "/v1/users/export?filter="+url.QueryEscape("name ="), owner, nil), 400); p["errors"].(map[string]any)["filter"] == nil {
			t.Errorf("bad filter: %v", p)
		}
		s.Want(s.Do("GET", "/v1/users/export?filter="+url.QueryEscape(`password_hash = "x"`), owner, nil), 400)
		s.Want(s.Do("GET", "/v1/users/export?format=xml", owner, nil), 400)
		s.Want(s.Do("GET", "/v1/users/export?limit=3", owner, nil), 400)

		csvOut := export(t, s, owner, filter+"&format=csv", "", "text/csv")
		if byAccept := export(t, s, owner, filter, "text/csv, application/x-ndjson;q=0.5", "text/csv"); byAccept != csvOut {
			t.Errorf("Accept: text/csv answered\n%s\nformat=csv\n%s", byAccept, csvOut)
		}
		if h := lines(csvOut)[0]; strings.Contains(h, "password_hash") || !strings.HasPrefix(h, "id,xid,sid,name,") {
			t.Errorf("CSV header: %s", h)
		}
		for _, c := range []struct{ format, ctype, body string }{
			{"jsonl", "application/x-ndjson", first},
			{"csv", "text/csv; charset=utf-8", csvOut},
		} {
			empty := facetest.Start(t, facetest.Fresh(t, b))
			_, tok := empty.Admin("root", 60)
			if sum := importBody(t, empty, tok, "", c.ctype, c.body, 200); sum["created"] != 3.0 {
				t.Fatalf("%s: import of the export: %v", c.format, sum)
			}
			if again := export(t, empty, tok, filter+"&format="+c.format, "", strings.Split(c.ctype, ";")[0]); again != c.body {
				t.Errorf("%s: export after import differs:\n%s\nwas\n%s", c.format, again, c.body)
			}
		}
	})
}

// TestBulkImport: refusals come back with their lines and write
// nothing; a dry run writes nothing; conflicts follow on_conflict; an
// imported Django hash logs in; bad requests and callers are refused
// before anything is read.
func TestBulkImport(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		_, member := s.Signup("member1")
		body := strings.Join([]string{
			`{"name":"ok1","password_hash":"pbkdf2_sha256$1000$seasalt$` + facetest.DjangoKey(t) + `"}`,
			`{"name":"bad","password_hash":"md5$x$y"}`,
			`not json`,
			`{"name":"ok2","level":30}`,
			`{"name":"ok3","profile":{"bio":""}}`,
			`{"name":"boss","level":60}`,
		}, "\n")
		const jsonl = "application/x-ndjson"
		count := func() int {
			return s.Total(admin, `name = "ok1" || name = "ok2" || name = "ok3" || name = "bad" || name = "boss"`)
		}

		sum := importBody(t, s, admin, "dry_run=true", jsonl, body, 200)
		if sum["dry_run"] != true || sum["read"] != 6.0 || sum["created"] != 2.0 || sum["refused"] != 4.0 {
			t.Fatalf("dry run: %v", sum)
		}
		if n := count(); n != 0 {
			t.Fatalf("the dry run wrote %d users", n)
		}
		sum = importBody(t, s, admin, "", jsonl, body, 200)
		if sum["dry_run"] != false || sum["created"] != 2.0 || sum["refused"] != 4.0 {
			t.Fatalf("import: %v", sum)
		}
		var refusals []string
		for _, r := range sum["refusals"].([]any) {
			m := r.(map[string]any)
			refusals = append(refusals, fmt.Sprintf("%v %v %v", m["line"], m["name"], m["reason"]))
		}
		got := strings.Join(refusals, "\n")
		for _, want := range []string{"2 bad Invalid input. password_hash is not an argon2id", "3 <nil> Not a JSON object.", "5 ok3 Invalid input. bio", "6 boss"} {
			if !strings.Contains(got, want) {
				t.Errorf("refusals lack %q:\n%s", want, got)
			}
		}
		// Refused records wrote nothing, not even part of a user.
		if n := count(); n != 2 {
			t.Errorf("%d users after the import, want 2", n)
		}
		if n := s.Total(admin, `name = "bad" || name = "ok3" || name = "boss"`); n != 0 {
			t.Errorf("a refused record was written")
		}
		// The imported hash logs in (and is rehashed, as the CLI tests show).
		s.Login("ok1", "lètmein")

		sum = importBody(t, s, admin, "on_conflict=update", "text/csv", "name,level\nok2,31\nOK1,\n", 200)
		if sum["updated"] != 2.0 || sum["created"] != 0.0 {
			t.Errorf("CSV update: %v", sum)
		}
		sum = importBody(t, s, admin, "on_conflict=fail", "text/csv", "name\nok2\n", 200)
		if sum["refused"] != 1.0 || !strings.Contains(fmt.Sprint(sum["refusals"]), "line:2") {
			t.Errorf("CSV fail: %v", sum)
		}
		// A CSV whose header names no field stops before anything is read.
		p := importBody(t, s, admin, "", "text/csv", "name,shoe_size\nx,1\n", 400)
		if !strings.Contains(p["detail"].(string), "shoe_size") {
			t.Errorf("bad header: %v", p)
		}
		importBody(t, s, admin, "on_conflict=merge", jsonl, body, 400)
		importBody(t, s, admin, "dry_run=yes", jsonl, body, 400)
		importBody(t, s, admin, "", "application/json", body, 415)

		// Admins alone: anonymous 401, others 403, as native problems.
		for _, c := range []struct {
			token  string
			status int
			typ    string
		}{{"", 401, "urn:usersd:problem:unauthenticated"}, {member, 403, "urn:usersd:problem:forbidden"}} {
			p := importBody(t, s, c.token, "", jsonl, `{"name":"sneaky"}`, c.status)
			e := s.Want(s.Do("GET", "/v1/users/export", c.token, nil), c.status)
			if p["type"] != c.typ || e["type"] != c.typ {
				t.Errorf("import %v, export %v; want type %s", p, e, c.typ)
			}
		}
		if n := s.Total(admin, `name = "sneaky"`); n != 0 {
			t.Error("a member imported a user")
		}
	})
}

// TestImportBodyLimit: an import body past --max-import-bytes is a 413,
// whether its length is declared or found while reading; a body larger
// than every other route's limit is taken below it.
func TestImportBodyLimit(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--max-import-bytes", "3145728")
	_, admin := s.Admin("root", 50)
	var big strings.Builder
	for i := 0; big.Len() < 2500<<10; i++ {
		fmt.Fprintf(&big, `{"name":"user%06d","profile":{"bio":"%s"}}`+"\n", i, strings.Repeat("b", 400))
	}
	sum := importBody(t, s, admin, "", "application/x-ndjson", big.String(), 200)
	if sum["refused"] != 0.0 || sum["created"].(float64) < 5000 {
		t.Fatalf("a 2.5 MB import: %v", sum)
	}
	tooBig := big.String() + big.String()
	importBody(t, s, admin, "", "application/x-ndjson", tooBig, 413)
	// Chunked, so that no length warns the server.
	req, err := http.NewRequest("POST", s.Base+"/v1/users/import?on_conflict=skip", io.MultiReader(strings.NewReader(tooBig)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+admin)
	r := s.Send(req)
	if r.Status != 413 || !strings.Contains(string(r.Body), "Import stopped after") {
		t.Errorf("chunked body past the limit: %d %s", r.Status, r.Body)
	}
}

// TestImportOneAtATime: an import while another is still reading its
// body is refused at once, 409 as a native problem, and writes nothing;
// the first then finishes as if alone, and the next import runs.
func TestImportOneAtATime(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		const jsonl = "application/x-ndjson"

		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		req, err := http.NewRequest("POST", s.Base+"/v1/users/import", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", jsonl)
		req.Header.Set("Authorization", "Bearer "+admin)
		type result struct {
			resp *http.Response
			err  error
		}
		first := make(chan result, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			first <- result{resp, err}
		}()
		// Blank lines, which an import passes over, more than the sockets
		// between client and server hold: once written, the server has
		// read most of them, so the first import is running.
		if _, err := io.WriteString(pw, `{"name":"piped1"}`+strings.Repeat("\n", 16<<20)); err != nil {
			t.Fatal(err)
		}

		// A second import waiting behind the first would time out.
		client := &http.Client{Timeout: 5 * time.Second}
		post := func(query, body string) (int, []byte) {
			t.Helper()
			req, err := http.NewRequest("POST", s.Base+"/v1/users/import?"+query, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", jsonl)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("second import: %v", err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, got
		}
		// A dry run too: it would spool its body before running.
		for _, query := range []string{"", "dry_run=true"} {
			status, body := post(query, `{"name":"second"}`+"\n")
			var p map[string]any
			if err := json.Unmarshal(body, &p); err != nil || status != 409 {
				t.Fatalf("second import %q: %d %s", query, status, body)
			}
			if p["type"] != "urn:usersd:problem:conflict" || p["status"] != 409.0 || p["detail"] != "An import is already running; try again when it has finished." {
				t.Errorf("second import %q: %v", query, p)
			}
		}

		if _, err := io.WriteString(pw, `{"name":"piped2"}`+"\n"); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		res := <-first
		if res.err != nil {
			t.Fatal(res.err)
		}
		defer res.resp.Body.Close()
		var sum map[string]any
		if err := json.NewDecoder(res.resp.Body).Decode(&sum); err != nil || res.resp.StatusCode != 200 {
			t.Fatalf("first import: %d %v", res.resp.StatusCode, err)
		}
		if sum["read"] != 2.0 || sum["created"] != 2.0 {
			t.Errorf("first import: %v", sum)
		}
		if n := s.Total(admin, `name = "second"`); n != 0 {
			t.Error("the refused import wrote its record")
		}
		if sum := importBody(t, s, admin, "", jsonl, `{"name":"third"}`, 200); sum["created"] != 1.0 {
			t.Errorf("the import after: %v", sum)
		}
	})
}

// head sends HEAD /v1/users/export with a request id and returns the
// response and the server's access-log line for it.
func head(t *testing.T, s *facetest.Server, token, query, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("HEAD", s.Base+"/v1/users/export?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("head-%d", time.Now().UnixNano())
	req.Header.Set("X-Request-Id", id)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, accessLine(t, s, id)
}

// accessLine waits for the access-log line of the request id.
func accessLine(t *testing.T, s *facetest.Server, id string) string {
	t.Helper()
	want := "msg=request request_id=" + id + " "
	for _, line := range lines(s.WaitLog(want)) {
		if strings.Contains(line, want) {
			return line
		}
	}
	t.Fatalf("no access-log line for %s", id)
	return ""
}

// TestExportHead: HEAD answers the status and headers a GET would, after
// the same checks, and reads no user: the handler writes no byte, which
// the access log counts (net/http would drop a HEAD's body unseen).
func TestExportHead(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		_, member := s.Signup("member1")
		importBody(t, s, admin, "", "application/x-ndjson", `{"name":"ann"}`+"\n"+`{"name":"bob"}`, 200)
		for _, c := range []struct {
			query, accept, ctype string
		}{
			{"", "", "application/x-ndjson"},
			{"format=csv", "", "text/csv"},
			{"", "text/csv", "text/csv"},
			{"filter=" + url.QueryEscape(`name = "ann"`), "", "application/x-ndjson"},
		} {
			resp, line := head(t, s, admin, c.query, c.accept)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.ctype || !strings.Contains(resp.Header.Get("Content-Disposition"), "users.") {
				t.Errorf("HEAD %q %q: %d %v", c.query, c.accept, resp.StatusCode, resp.Header)
			}
			if !strings.Contains(line, " bytes=0 ") || !strings.Contains(line, " status=200 ") {
				t.Errorf("HEAD %q %q wrote a body: %s", c.query, c.accept, line)
			}
			if get := export(t, s, admin, c.query, c.accept, c.ctype); get == "" {
				t.Errorf("GET %q %q: empty", c.query, c.accept)
			}
		}
		for _, c := range []struct {
			token, query, accept string
			status               int
		}{
			{"", "", "", 401},
			{member, "", "", 403},
			{admin, "filter=" + url.QueryEscape("name ="), "", 400},
			{admin, "filter=" + url.QueryEscape(`password_hash = "x"`), "", 400},
			{admin, "format=xml", "", 400},
			{admin, "", "application/x-ndjson;q=0, text/csv;q=0", 406},
		} {
			resp, _ := head(t, s, c.token, c.query, c.accept)
			if resp.StatusCode != c.status {
				t.Errorf("HEAD as %q, %q %q: %d, want %d", c.token, c.query, c.accept, resp.StatusCode, c.status)
			}
			if c.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("HEAD without credentials: no WWW-Authenticate")
			}
			get, err := http.NewRequest("GET", s.Base+"/v1/users/export?"+c.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			get.Header.Set("Accept", c.accept)
			if c.token != "" {
				get.Header.Set("Authorization", "Bearer "+c.token)
			}
			if r := s.Send(get); r.Status != c.status {
				t.Errorf("GET as %q, %q %q: %d, HEAD %d", c.token, c.query, c.accept, r.Status, c.status)
			}
		}
	})
}

// TestExportClientGone: a client that reads the first lines of an export
// larger than the sockets hold and hangs up leaves the server writing to
// no one: the export ends (its access-log line, written when the handler
// returns, says aborted), nothing panics, and the next export is whole.
func TestExportClientGone(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		const n = 3000
		// 4 KB a user, 12 MB in all: more than the loopback's socket
		// buffers take while the client reads nothing.
		style := strings.Repeat("a{color:red}", 340)
		var in strings.Builder
		for i := range n {
			fmt.Fprintf(&in, `{"name":"bulk%04d","custom_style":%q}`+"\n", i, style)
		}
		if sum := importBody(t, s, admin, "", "application/x-ndjson", in.String(), 200); sum["created"] != float64(n) {
			t.Fatalf("import: %v", sum)
		}

		req, err := http.NewRequest("GET", s.Base+"/v1/users/export", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("X-Request-Id", "gone-export")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		for i := range 5 {
			if line, err := br.ReadString('\n'); err != nil || !strings.Contains(line, `"name":`) {
				t.Fatalf("line %d: %q %v", i+1, line, err)
			}
		}
		resp.Body.Close() // unread: the client closes the connection

		line := accessLine(t, s, "gone-export")
		if !strings.Contains(line, " aborted=true") {
			t.Errorf("the export did not end aborted: %s", line)
		}
		if full := export(t, s, admin, "", "", "application/x-ndjson"); len(lines(full)) != n+1 {
			t.Errorf("the next export has %d lines, want %d", len(lines(full)), n+1)
		}
		if log := s.Log(); strings.Contains(log, "msg=panic") || strings.Contains(log, "level=ERROR") {
			t.Errorf("the server logged a panic or an error:\n%s", log)
		}
	})
}
