package console

import (
	"net/http"
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
	Days          []dayBar
	Width, Height int
	Baseline      int // y of the bars' foot
	Problem       string
}

// handleDashboard handles "GET /dashboard": sign-ups per day over the
// last two weeks (UTC days, today last), counted by the core as a
// filtered list with its total, so the profile's rules apply as on every
// list. Deleted accounts count: they signed up.
//
// Logins per hour are not charted: usersd keeps no record of successful
// logins over time (the audit log records failures only, last_login_at
// only the latest), and a chart of something else would mislead.
func (h *handler) handleDashboard(w http.ResponseWriter, r *http.Request) {
	viewer := me(r.Context()).user
	today := h.face.Now().UTC().Truncate(24 * time.Hour)
	p := dashboardPage{Width: dashboardDays*(chartBarW+chartGap) + chartGap, Height: chartTop + chartHeight + chartBottom}
	p.Baseline = chartTop + chartHeight
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
	h.render(w, r, http.StatusOK, "dashboard", "Dashboard", p.Problem, p)
}

// signups counts the accounts created in [from, to), deleted ones too.
func (h *handler) signups(r *http.Request, viewer *core.User, from, to time.Time) (int, error) {
	f := query.And{
		&query.Cond{Field: "created_at", Op: query.Ge, Value: from},
		&query.Cond{Field: "created_at", Op: query.Lt, Value: to},
		query.Or{&query.Cond{Field: "deleted", Op: query.Eq, Value: true}, &query.Cond{Field: "deleted", Op: query.Eq, Value: false}},
	}
	page, err := h.face.ListUsers(r.Context(), viewer, core.ListRequest{Filter: f, Limit: 1, Total: true})
	if err != nil {
		return 0, err
	}
	return page.Total, nil
}
