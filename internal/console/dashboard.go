package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// dashboardDays is how many days of sign-ups the dashboard charts.
const dashboardDays = 14

// Chart geometry, in SVG user units.
const (
	chartBarW   = 36
	chartGap    = 8
	chartHeight = 160
	chartTop    = 18 // room for the counts above the bars
	chartBottom = 20 // room for the dates below
)

// dayBar is one day of sign-ups and its bar.
type dayBar struct {
	Day        time.Time
	N          int
	X, Y, W, H int // the bar
	TextX      int // the centre of the bar, for its labels
}

// dashboardPage is the dashboard's data.
type dashboardPage struct {
	Users         []statRow // the accounts by standing
	Days          []dayBar
	Width, Height int
	Baseline      int // y of the bars' foot
	Problem       string

	Hours                 []hourBars
	HoursWidth            int
	HoursNote             string // why logins are not charted
	Logins, Failed, Locks int    // over the hours charted
	Limits                []statRow
	DB                    *core.StoreHealth
	DBNote                string
}

// loginHours is how many hours of logins the dashboard charts.
const loginHours = 48

// The hourly chart's geometry: three bars an hour.
const (
	hourBarW = 5
	hourGap  = 5
	hourW    = 3*hourBarW + hourGap
)

// hourBars is one hour of logins, failed logins and lock-outs.
type hourBars struct {
	Hour                  time.Time
	OK, Failed, Locked    int
	X                     int
	OKY, FailedY, LockedY int // the bars' tops
	OKH, FailedH, LockedH int
	Label                 bool // the hour is labelled below the axis
}

// statRow is one counter of this node.
type statRow struct {
	Name  string
	Value float64
}

// handleDashboard handles "GET /dashboard": sign-ups per day over the
// last two weeks (UTC days, today last), counted by the core as a
// filtered list with its total, so the profile's rules apply as on every
// list (deleted accounts count: they signed up); logins, failed logins
// and lock-outs per hour from the audit log (loginChart); this node's
// rate-limit counters (Options.Stats); the database's ping, kind and
// pools.
func (h *handler) handleDashboard(w http.ResponseWriter, r *http.Request) {
	viewer := me(r.Context()).user
	today := h.face.Now().UTC().Truncate(24 * time.Hour)
	p := dashboardPage{Width: dashboardDays*(chartBarW+chartGap) + chartGap, Height: chartTop + chartHeight + chartBottom}
	p.Baseline = chartTop + chartHeight
	for _, c := range userCounts {
		n, err := h.count(r, viewer, c.filter)
		if err != nil {
			if core.ErrorCode(err) == core.Internal {
				h.fail(w, r, err)
				return
			}
			p.Problem = "The counts could not be read now: " + problemText(err)
			break
		}
		p.Users = append(p.Users, statRow{c.name, float64(n)})
	}
	top := 0
	for i := dashboardDays - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		n, err := h.signups(r, viewer, day, day.AddDate(0, 0, 1))
		if err != nil {
			if core.ErrorCode(err) == core.Internal {
				h.fail(w, r, err)
				return
			}
			p.Problem = "The counts could not be read now: " + problemText(err)
			break
		}
		p.Days = append(p.Days, dayBar{Day: day, N: n})
		top = max(top, n)
	}
	for i := range p.Days {
		b := &p.Days[i]
		b.X, b.W = chartGap+i*(chartBarW+chartGap), chartBarW
		b.H = 0
		if top > 0 {
			b.H = b.N * chartHeight / top
		}
		if b.N > 0 && b.H < 2 {
			b.H = 2 // a day with sign-ups is never a flat line
		}
		b.Y = p.Baseline - b.H
		b.TextX = b.X + chartBarW/2
	}
	if err := h.loginChart(r, viewer, &p); err != nil {
		h.fail(w, r, err)
		return
	}
	if h.opts.Stats != nil {
		for name, v := range h.opts.Stats() {
			p.Limits = append(p.Limits, statRow{name, v})
		}
		slices.SortFunc(p.Limits, func(a, b statRow) int { return strings.Compare(a.Name, b.Name) })
	}
	db, err := h.face.StoreHealth(r.Context(), viewer)
	switch {
	case err == nil:
		p.DB = db
		if db.Err != nil {
			p.DBNote = "The database did not answer: " + problemText(db.Err)
		}
	case core.ErrorCode(err) == core.Forbidden:
		p.DBNote = core.AsError(err).Message
	default:
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "dashboard", "Dashboard", p.Problem, p)
}

// loginChart counts logins, failed logins and lock-outs per hour over the
// last two days (UTC hours, this one last) from the audit log, through
// the core, which lets admins alone read the log: moderators get a note.
func (h *handler) loginChart(r *http.Request, viewer *core.User, p *dashboardPage) error {
	first := h.face.Now().UTC().Truncate(time.Hour).Add(-(loginHours - 1) * time.Hour)
	actions := []string{core.AuditLoginSucceeded, core.AuditLoginFailed, core.AuditLoginLocked}
	counts, err := h.face.AuditCounts(r.Context(), viewer, actions, first, time.Hour, loginHours)
	if core.ErrorCode(err) == core.Forbidden {
		p.HoursNote = core.AsError(err).Message
		return nil
	}
	if err != nil {
		return err
	}
	ok, failed, locked := counts[core.AuditLoginSucceeded], counts[core.AuditLoginFailed], counts[core.AuditLoginLocked]
	top := max(slices.Max(ok), slices.Max(failed), slices.Max(locked))
	bar := func(n int) int {
		if top == 0 {
			return 0
		}
		return max(n*chartHeight/top, min(n, 1)*2) // an hour with any is never flat
	}
	p.HoursWidth = loginHours*hourW + hourGap
	for i := range loginHours {
		b := hourBars{Hour: first.Add(time.Duration(i) * time.Hour), OK: ok[i], Failed: failed[i], Locked: locked[i],
			X: hourGap + i*hourW, OKH: bar(ok[i]), FailedH: bar(failed[i]), LockedH: bar(locked[i])}
		b.OKY, b.FailedY, b.LockedY = p.Baseline-b.OKH, p.Baseline-b.FailedH, p.Baseline-b.LockedH
		b.Label = b.Hour.Hour()%6 == 0
		p.Logins, p.Failed, p.Locks = p.Logins+b.OK, p.Failed+b.Failed, p.Locks+b.Locked
		p.Hours = append(p.Hours, b)
	}
	return nil
}

// anyDeleted lets a filter count deleted accounts too, which lists leave
// out unless asked.
var anyDeleted = query.Or{&query.Cond{Field: "deleted", Op: query.Eq, Value: true}, &query.Cond{Field: "deleted", Op: query.Eq, Value: false}}

// userCounts are the dashboard's totals of accounts, each a counted list.
var userCounts = []struct {
	name   string
	filter query.Expr
}{
	{"all accounts", anyDeleted},
	{"active", query.And{&query.Cond{Field: "active", Op: query.Eq, Value: true}, &query.Cond{Field: "banned", Op: query.Eq, Value: false}}},
	{"not activated", &query.Cond{Field: "active", Op: query.Eq, Value: false}},
	{"banned", &query.Cond{Field: "banned", Op: query.Eq, Value: true}},
	{"staff (moderators and above)", &query.Cond{Field: "level", Op: query.Ge, Value: int64(core.LevelModerator)}},
	{"deleted", &query.Cond{Field: "deleted", Op: query.Eq, Value: true}},
}

// signups counts the accounts created in [from, to), deleted ones too.
func (h *handler) signups(r *http.Request, viewer *core.User, from, to time.Time) (int, error) {
	return h.count(r, viewer, query.And{
		&query.Cond{Field: "created_at", Op: query.Ge, Value: from},
		&query.Cond{Field: "created_at", Op: query.Lt, Value: to},
		anyDeleted,
	})
}

// count is the total of a filtered list, as the core answers it to viewer.
func (h *handler) count(r *http.Request, viewer *core.User, f query.Expr) (int, error) {
	page, err := h.face.ListUsers(r.Context(), viewer, core.ListRequest{Filter: f, Limit: 1, Total: true})
	if err != nil {
		return 0, err
	}
	return page.Total, nil
}
