package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// deliveryPageSize is how many deliveries a page of the log shows.
const deliveryPageSize = 50

// hookActionDefs are the buttons of a webhook's page; each asks for
// confirmation at GET /webhooks/{id}/{Name} and is done by its POST.
var hookActionDefs = []action{
	{"edit", "Save settings", false},
	{"test", "Send test event", false},
	{"rotate", "Rotate secret", true},
	{"delete", "Delete", true},
}

// doneLabels name what a page's done= parameter reports.
var doneLabels = map[string]string{
	"edit":   "Settings saved.",
	"test":   "Test event queued.",
	"delete": "Webhook deleted.",
	"retry":  "Delivery queued again.",
}

// eventChoice is one event's checkbox.
type eventChoice struct {
	Value string
	On    bool
}

// eventChoices are the checkboxes of core.AuditActions, on for events.
func eventChoices(events []string) []eventChoice {
	out := make([]eventChoice, len(core.AuditActions))
	for i, a := range core.AuditActions {
		out[i] = eventChoice{a, slices.Contains(events, a)}
	}
	return out
}

// hookForm is a webhook's settings as a form shows them.
type hookForm struct {
	URL, Description string
	Events           []eventChoice
	All, Enabled     bool
}

func formOf(w *core.Webhook) hookForm {
	return hookForm{URL: w.URL, Description: w.Description, Events: eventChoices(w.Events),
		All: slices.Contains(w.Events, core.WebhookAllEvents), Enabled: w.Enabled}
}

// webhooksPage is the webhooks list's data.
type webhooksPage struct {
	Hooks []*core.Webhook
	Form  hookForm // the registration form
	Done  string
}

// secretPage shows a webhook's secret, once: after its creation or a
// rotation.
type secretPage struct {
	Hook    *core.Webhook
	Rotated bool
}

// webhookPage is a webhook's page: settings, actions, delivery log.
type webhookPage struct {
	Hook                *core.Webhook
	Form                hookForm
	Actions             []action
	Deliveries          []*core.Delivery
	State               string
	States              []string
	NextLink, FirstLink string
	Done                string
	DoneDelivery        int64
}

// hookConfirmPage is a webhook action's confirmation.
type hookConfirmPage struct {
	Hook     *core.Webhook
	Action   action
	Form     hookForm   // edit: the new settings
	Events   []string   // edit: the new events
	Changes  []diffLine // edit: what changes
	Overlap  string     // rotate: the overlap chosen
	Delivery *core.Delivery
}

// deliveryPage is one delivery with its attempts.
type deliveryPage struct {
	Hook     *core.Webhook
	Delivery *core.Delivery
	Attempts []attemptRow
	Retry    bool
	Done     string
}

type attemptRow struct {
	*core.DeliveryAttempt
	N         int
	LatencyMS int64
}

// pathInt parses a positive integer path segment; anything else names
// nothing (what, "webhook").
func pathInt(r *http.Request, name, what string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, core.Errorf(core.NotFound, "No such %s.", what)
	}
	return n, nil
}

// hook reads the path's webhook.
func (h *handler) hook(r *http.Request) (*core.Webhook, error) {
	id, err := pathInt(r, "id", "webhook")
	if err != nil {
		return nil, err
	}
	return h.face.Webhook(r.Context(), me(r.Context()).user, id)
}

func hookPath(r *http.Request, id int64) string {
	return base(r) + "/webhooks/" + strconv.FormatInt(id, 10)
}

// hookInput reads a webhook's settings from a form (the query of an edit's
// confirmation, or a post): "all events" stands for every event whatever
// else is ticked, and an unticked "enabled" is false.
func hookInput(r *http.Request) core.WebhookInput {
	r.ParseForm() // a broken body leaves the form empty, which the core refuses
	u, desc := strings.TrimSpace(r.FormValue("url")), strings.TrimSpace(r.FormValue("description"))
	enabled := r.FormValue("enabled") != ""
	events := []string{}
	for _, e := range r.Form["events"] {
		if e == core.WebhookAllEvents {
			events = []string{core.WebhookAllEvents}
			break
		}
		events = append(events, e)
	}
	return core.WebhookInput{URL: &u, Description: &desc, Events: events, Enabled: &enabled}
}

// handleWebhooks handles "GET /webhooks": every webhook and a form to
// register one.
func (h *handler) handleWebhooks(w http.ResponseWriter, r *http.Request) {
	h.webhooks(w, r, http.StatusOK, hookForm{Events: eventChoices(nil), Enabled: true}, "")
}

func (h *handler) webhooks(w http.ResponseWriter, r *http.Request, status int, form hookForm, problem string) {
	hooks, err := h.face.Webhooks(r.Context(), me(r.Context()).user)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := webhooksPage{Hooks: hooks, Form: form, Done: doneLabels[r.URL.Query().Get("done")]}
	h.render(w, r, status, "webhooks", "Webhooks", problem, p)
}

// handleWebhookCreate handles "POST /webhooks": registers a webhook and
// shows its secret, this once.
func (h *handler) handleWebhookCreate(w http.ResponseWriter, r *http.Request) {
	in := hookInput(r)
	in.Enabled = nil // a new webhook is enabled
	hook, err := h.face.CreateWebhook(r.Context(), me(r.Context()).user, in)
	if err != nil {
		if core.ErrorCode(err) != core.Invalid {
			h.fail(w, r, err)
			return
		}
		form := hookForm{URL: *in.URL, Description: *in.Description, Events: eventChoices(in.Events),
			All: slices.Contains(in.Events, core.WebhookAllEvents), Enabled: true}
		h.webhooks(w, r, http.StatusBadRequest, form, problemText(err))
		return
	}
	h.render(w, r, http.StatusOK, "secret", "Webhook registered", "", secretPage{Hook: hook})
}

// handleWebhook handles "GET /webhooks/{id}": the settings, the actions
// and the delivery log, newest first, by state.
func (h *handler) handleWebhook(w http.ResponseWriter, r *http.Request) {
	hook, err := h.hook(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := webhookPage{Hook: hook, Form: formOf(hook), Actions: hookActionDefs[1:], State: q.Get("state"),
		States: []string{core.DeliveryPending, core.DeliveryDelivered, core.DeliveryDead}, Done: doneLabels[q.Get("done")]}
	p.DoneDelivery, _ = strconv.ParseInt(q.Get("delivery"), 10, 64)
	in := core.DeliveryRequest{State: p.State, Limit: deliveryPageSize, Cursor: q.Get("cursor")}
	ds, next, err := h.face.WebhookDeliveries(r.Context(), me(r.Context()).user, hook.ID, in)
	problem, status := "", http.StatusOK
	if err != nil {
		if core.ErrorCode(err) != core.Invalid {
			h.fail(w, r, err)
			return
		}
		problem, status = problemText(err), http.StatusBadRequest
	}
	p.Deliveries = ds
	log := func(cursor string) string {
		v := url.Values{}
		if p.State != "" {
			v.Set("state", p.State)
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		return hookPath(r, hook.ID) + "?" + v.Encode() + "#deliveries-h"
	}
	if next != "" {
		p.NextLink = log(next)
	}
	if in.Cursor != "" {
		p.FirstLink = log("")
	}
	h.render(w, r, status, "webhook", "Webhook #"+strconv.FormatInt(hook.ID, 10), problem, p)
}

// hookTarget reads the path's webhook and action.
func (h *handler) hookTarget(r *http.Request) (*core.Webhook, action, error) {
	var a action
	i := slices.IndexFunc(hookActionDefs, func(a action) bool { return a.Name == r.PathValue("action") })
	if i < 0 {
		return nil, a, core.Errorf(core.NotFound, "No such page.")
	}
	hook, err := h.hook(r)
	return hook, hookActionDefs[i], err
}

// handleWebhookConfirm handles "GET /webhooks/{id}/{action}": what the
// action will do, and the button that does it.
func (h *handler) handleWebhookConfirm(w http.ResponseWriter, r *http.Request) {
	hook, a, err := h.hookTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.hookConfirm(w, r, http.StatusOK, hook, a, "")
}

func (h *handler) hookConfirm(w http.ResponseWriter, r *http.Request, status int, hook *core.Webhook, a action, problem string) {
	p := hookConfirmPage{Hook: hook, Action: a, Overlap: r.FormValue("overlap")}
	if a.Name == "edit" {
		in := hookInput(r)
		p.Form = hookForm{URL: *in.URL, Description: *in.Description, Enabled: *in.Enabled}
		p.Events = in.Events
		change := func(field, old, new string) {
			if old != new {
				p.Changes = append(p.Changes, diffLine{Field: field, Old: old, New: new})
			}
		}
		change("url", hook.URL, *in.URL)
		change("description", hook.Description, *in.Description)
		change("events", strings.Join(hook.Events, ", "), strings.Join(in.Events, ", "))
		change("enabled", formatValue(hook.Enabled), formatValue(*in.Enabled))
	}
	if p.Overlap == "" {
		p.Overlap = "86400"
	}
	h.render(w, r, status, "hookconfirm", a.Label+": webhook #"+strconv.FormatInt(hook.ID, 10), problem, p)
}

// handleWebhookAction handles "POST /webhooks/{id}/{action}": the action,
// through the core; a rotation shows the new secret, this once.
func (h *handler) handleWebhookAction(w http.ResponseWriter, r *http.Request) {
	hook, a, err := h.hookTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx, viewer := r.Context(), me(r.Context()).user
	to := hookPath(r, hook.ID) + "?done=" + a.Name
	switch a.Name {
	case "edit":
		_, err = h.face.UpdateWebhook(ctx, viewer, hook.ID, hookInput(r))
	case "test":
		var d *core.Delivery
		if d, err = h.face.TestWebhook(ctx, viewer, hook.ID); err == nil {
			to += "&delivery=" + strconv.FormatInt(d.ID, 10) + "#deliveries-h"
		}
	case "rotate":
		var overlap time.Duration
		switch r.PostFormValue("overlap") {
		case "0":
			overlap = -1 // the core's "none"
		case "86400":
			overlap = 24 * time.Hour
		default:
			err = core.FieldError("overlap", "must be 0 or 1 day")
		}
		if err == nil {
			var rotated *core.Webhook
			if rotated, err = h.face.RotateWebhookSecret(ctx, viewer, hook.ID, overlap); err == nil {
				h.render(w, r, http.StatusOK, "secret", "Secret rotated", "", secretPage{Hook: rotated, Rotated: true})
				return
			}
		}
	case "delete":
		err = h.face.DeleteWebhook(ctx, viewer, hook.ID)
		to = base(r) + "/webhooks?done=delete"
	}
	if err != nil {
		switch core.ErrorCode(err) {
		case core.Invalid, core.Conflict, core.Forbidden:
			h.hookConfirm(w, r, httpx.Status(core.ErrorCode(err)), hook, a, problemText(err))
		default:
			h.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// delivery reads the path's webhook and delivery, with its attempts.
func (h *handler) delivery(r *http.Request) (*core.Webhook, *core.Delivery, []*core.DeliveryAttempt, error) {
	hook, err := h.hook(r)
	if err != nil {
		return nil, nil, nil, err
	}
	did, err := pathInt(r, "d", "delivery")
	if err != nil {
		return nil, nil, nil, err
	}
	d, as, err := h.face.WebhookDelivery(r.Context(), me(r.Context()).user, hook.ID, did)
	return hook, d, as, err
}

// retryable says whether a delivery may be sent again: a dead or a
// delivered one (a pending one is still on its way).
func retryable(d *core.Delivery) bool {
	return d.State == core.DeliveryDead || d.State == core.DeliveryDelivered
}

// handleDelivery handles "GET /webhooks/{id}/deliveries/{d}": a delivery
// and every attempt at it.
func (h *handler) handleDelivery(w http.ResponseWriter, r *http.Request) {
	hook, d, as, err := h.delivery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := deliveryPage{Hook: hook, Delivery: d, Retry: retryable(d), Done: doneLabels[r.URL.Query().Get("done")]}
	for i, a := range as {
		p.Attempts = append(p.Attempts, attemptRow{DeliveryAttempt: a, N: i + 1, LatencyMS: a.Latency.Milliseconds()})
	}
	h.render(w, r, http.StatusOK, "delivery", "Delivery #"+strconv.FormatInt(d.ID, 10), "", p)
}

var retryAction = action{"retry", "Retry", false}

// handleRetryConfirm handles "GET /webhooks/{id}/deliveries/{d}/retry".
func (h *handler) handleRetryConfirm(w http.ResponseWriter, r *http.Request) {
	hook, d, _, err := h.delivery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.retryConfirm(w, r, http.StatusOK, hook, d, "")
}

func (h *handler) retryConfirm(w http.ResponseWriter, r *http.Request, status int, hook *core.Webhook, d *core.Delivery, problem string) {
	if problem == "" && !retryable(d) {
		problem = "This delivery is still pending: it is retried on its own."
	}
	h.render(w, r, status, "hookconfirm", "Retry delivery #"+strconv.FormatInt(d.ID, 10), problem,
		hookConfirmPage{Hook: hook, Action: retryAction, Delivery: d})
}

// handleRetry handles "POST /webhooks/{id}/deliveries/{d}/retry": a dead
// or delivered delivery is sent again, from its first attempt.
func (h *handler) handleRetry(w http.ResponseWriter, r *http.Request) {
	hook, d, _, err := h.delivery(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.face.RetryDelivery(r.Context(), me(r.Context()).user, hook.ID, d.ID); err != nil {
		if core.ErrorCode(err) == core.Conflict {
			h.retryConfirm(w, r, http.StatusConflict, hook, d, problemText(err))
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, hookPath(r, hook.ID)+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"?done=retry", http.StatusSeeOther)
}
