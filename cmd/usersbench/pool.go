package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"usersd/internal/loadgen"
)

// pool is what the workloads draw from: a sample of the target's users,
// name fragments, and a place half way into the list.
type pool struct {
	ids        []int64
	names      []string
	fragments  []string // 3-character pieces of sampled names
	prefixes   []string // first 2 characters of sampled names
	e621Names  []string // sampled names without '.', which e621's paths read as a format
	rbNames    []string // sampled names that Review Board's item pattern takes
	total      int      // users the walk saw
	deepCursor string   // the native cursor half way into the default order
	deepIDs    []int64  // ids on the page half way in (before-id paging)
	adminToken string   // AdminName's native token
	tokens     []string // mixed: the workers' own users' tokens
}

func (p *pool) id(w *worker) string { return strconv.FormatInt(p.ids[w.rng.IntN(len(p.ids))], 10) }
func (p *pool) name(w *worker) string {
	return p.names[w.rng.IntN(len(p.names))]
}
func (p *pool) e621Name(w *worker) string { return p.e621Names[w.rng.IntN(len(p.e621Names))] }
func (p *pool) rbName(w *worker) string   { return p.rbNames[w.rng.IntN(len(p.rbNames))] }
func (p *pool) fragment(w *worker) string { return p.fragments[w.rng.IntN(len(p.fragments))] }
func (p *pool) prefix(w *worker) string   { return p.prefixes[w.rng.IntN(len(p.prefixes))] }
func (p *pool) deepID(w *worker) int64    { return p.deepIDs[w.rng.IntN(len(p.deepIDs))] }

// level draws a level to filter on: mostly the member level, whose
// total is the largest.
func (p *pool) level(w *worker) int { return []int{20, 20, 20, 30, 40, 10}[w.rng.IntN(6)] }

// rbUsername is djblets' UserResource uri_object_key_regex.
var rbUsername = regexp.MustCompile(`^[A-Za-z0-9@._\-'+]+$`)

// sampleSize bounds the users kept for the workloads to draw from.
const sampleSize = 20000

// newPool logs the admin in and walks every user of the target once with
// cursor pages of ids and names, keeping a uniform sample (reservoir
// sampling, so memory does not grow with the users) and the cursor half
// way in.
func newPool(ctx context.Context, client *loadgen.Client) (*pool, error) {
	p := &pool{}
	conn := client.Conn()
	defer conn.Close()
	var err error
	if p.adminToken, err = login(ctx, conn, AdminName); err != nil {
		return nil, fmt.Errorf("log in as %s (seeded by usersbench seed?): %w", AdminName, err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	type page struct {
		Users []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"users"`
		NextCursor *string `json:"next_cursor"`
	}
	var cursors []string // cursors of every page but the first
	var pageIDs [][]int64
	keepIDs := func(pg *page) []int64 {
		ids := make([]int64, len(pg.Users))
		for i, u := range pg.Users {
			ids[i] = u.ID
		}
		return ids
	}
	cursor := ""
	for {
		path := "/v1/users?limit=1000&fields=id,name"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var pg page
		if err := fetchJSON(ctx, conn, &loadgen.Request{Method: "GET", Path: path}, &pg); err != nil {
			return nil, err
		}
		for _, u := range pg.Users {
			p.total++
			if len(p.ids) < sampleSize {
				p.ids, p.names = append(p.ids, u.ID), append(p.names, u.Name)
			} else if j := rng.IntN(p.total); j < sampleSize {
				p.ids[j], p.names[j] = u.ID, u.Name
			}
		}
		// Keep one page's ids in 64 to find the middle without holding
		// every id.
		if len(cursors)%64 == 0 || pg.NextCursor == nil {
			pageIDs = append(pageIDs, keepIDs(&pg))
		}
		if pg.NextCursor == nil {
			break
		}
		cursor = *pg.NextCursor
		cursors = append(cursors, cursor)
	}
	if len(p.ids) == 0 {
		return nil, errors.New("the target has no users: seed it first (usersbench seed)")
	}
	if len(cursors) > 0 {
		p.deepCursor = cursors[len(cursors)/2]
	}
	p.deepIDs = pageIDs[len(pageIDs)/2]
	if len(p.deepIDs) == 0 {
		p.deepIDs = p.ids[:1]
	}
	for _, n := range p.names {
		if !strings.Contains(n, ".") {
			p.e621Names = append(p.e621Names, n)
		}
		if rbUsername.MatchString(n) {
			p.rbNames = append(p.rbNames, n)
		}
		stem := n[:cutAt(n, '_')]
		if utf8.RuneCountInString(stem) >= 2 {
			r := []rune(stem)
			p.prefixes = append(p.prefixes, string(r[:2]))
			if len(r) >= 3 {
				i := rng.IntN(len(r) - 2)
				p.fragments = append(p.fragments, string(r[i:i+3]))
			}
		}
	}
	if len(p.fragments) == 0 {
		p.fragments = []string{"ka_"} // tiny pools of short names: still a substring search
	}
	if len(p.e621Names) == 0 || len(p.rbNames) == 0 {
		return nil, errors.New("no sampled name has a form e621 and Review Board can address")
	}
	if len(p.prefixes) == 0 {
		p.prefixes = []string{"ka"}
	}
	return p, nil
}

// login logs name in with BenchPassword through the native API and
// returns the token.
func login(ctx context.Context, conn *loadgen.Conn, name string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	r := &loadgen.Request{Method: "POST", Path: "/v1/login", Header: []string{"Content-Type", "application/json"},
		Body: []byte(jsonObject("name", name, "password", BenchPassword))}
	if err := fetchJSON(ctx, conn, r, &out); err != nil {
		return "", err
	}
	return out.Token, nil
}

// fetchJSON sends r and decodes its 2xx answer into v.
func fetchJSON(ctx context.Context, conn *loadgen.Conn, r *loadgen.Request, v any) error {
	b, err := fetch(ctx, conn, r)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// fetch sends r and returns the body of its answer, an error unless the
// status is 2xx. The body is valid until conn's next request.
func fetch(ctx context.Context, conn *loadgen.Conn, r *loadgen.Request) ([]byte, error) {
	resp, err := conn.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %.300s", r.Method, r.Path, resp.Status, resp.Body)
	}
	return resp.Body, nil
}
