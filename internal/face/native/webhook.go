package native

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// webhookWire is a core.Webhook on the wire; the secret only when it was
// just made.
type webhookWire struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Description    string   `json:"description"`
	Events         []string `json:"events"`
	Enabled        bool     `json:"enabled"`
	Secret         string   `json:"secret,omitempty"`
	OldSecretUntil *string  `json:"old_secret_until"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

func toWebhook(w *core.Webhook) webhookWire {
	out := webhookWire{ID: w.ID, URL: w.URL, Description: w.Description, Events: w.Events, Enabled: w.Enabled, Secret: w.Secret,
		CreatedAt: w.CreatedAt.UTC().Format(timeFormat), UpdatedAt: w.UpdatedAt.UTC().Format(timeFormat)}
	if out.Events == nil {
		out.Events = []string{}
	}
	if w.OldSecretUntil != nil {
		s := w.OldSecretUntil.UTC().Format(timeFormat)
		out.OldSecretUntil = &s
	}
	return out
}

type deliveryWire struct {
	ID         int64   `json:"id"`
	WebhookID  int64   `json:"webhook_id"`
	AuditID    *int64  `json:"audit_id"`
	Event      string  `json:"event"`
	State      string  `json:"state"`
	Attempts   int     `json:"attempts"`
	CreatedAt  string  `json:"created_at"`
	NextAt     *string `json:"next_attempt_at"`
	FinishedAt *string `json:"finished_at"`
	LastStatus *int    `json:"last_status"`
	LastError  *string `json:"last_error"`
}

// deliveryDetail is a delivery with the log of its attempts.
type deliveryDetail struct {
	deliveryWire
	Log []attemptWire `json:"log"`
}

type attemptWire struct {
	At        string `json:"at"`
	Status    *int   `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	Response  string `json:"response"`
	Error     string `json:"error,omitempty"`
}

func toDelivery(d *core.Delivery) deliveryWire {
	out := deliveryWire{ID: d.ID, WebhookID: d.WebhookID, AuditID: d.AuditID, Event: d.Event, State: d.State, Attempts: d.Attempts,
		CreatedAt: d.CreatedAt.UTC().Format(timeFormat), LastStatus: d.LastStatus, LastError: d.LastError}
	if d.State == core.DeliveryPending {
		s := d.NextAt.UTC().Format(timeFormat)
		out.NextAt = &s
	}
	if d.FinishedAt != nil {
		s := d.FinishedAt.UTC().Format(timeFormat)
		out.FinishedAt = &s
	}
	return out
}

func toDeliveryDetail(d *core.Delivery, as []*core.DeliveryAttempt) deliveryDetail {
	out := deliveryDetail{deliveryWire: toDelivery(d), Log: []attemptWire{}}
	for _, a := range as {
		aw := attemptWire{At: a.At.UTC().Format(timeFormat), LatencyMS: a.Latency.Milliseconds(), Response: a.Response, Error: a.Error}
		if a.Status != 0 {
			aw.Status = &a.Status
		}
		out.Log = append(out.Log, aw)
	}
	return out
}

// webhookRequest reads a WebhookInput body: url, description, events,
// enabled, each optional (CreateWebhook requires url and events).
func webhookRequest(obj map[string]json.RawMessage) (core.WebhookInput, error) {
	var in core.WebhookInput
	probs := map[string]string{}
	for k, raw := range obj {
		var err error
		switch k {
		case "url":
			in.URL = new(string)
			err = json.Unmarshal(raw, in.URL)
		case "description":
			in.Description = new(string)
			err = json.Unmarshal(raw, in.Description)
		case "events":
			err = json.Unmarshal(raw, &in.Events)
			if err == nil && in.Events == nil {
				err = fmt.Errorf("null")
			}
		case "enabled":
			in.Enabled = new(bool)
			err = json.Unmarshal(raw, in.Enabled)
		default:
			probs[k] = "is not a field"
			continue
		}
		if err != nil {
			probs[k] = map[string]string{"url": "must be a string", "description": "must be a string",
				"events": "must be an array of strings", "enabled": "must be true or false"}[k]
		}
	}
	if len(probs) > 0 {
		return in, &core.Error{Code: core.Invalid, Message: "Invalid webhook.", Fields: probs}
	}
	return in, nil
}

// answer makes a handler of fn: what it returns is the JSON body with
// status (nil: status alone), and its error a problem.
func answer(log *slog.Logger, status int, fn func(r *http.Request, caller *core.User) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r, httpx.Caller(r.Context()))
		switch {
		case err != nil:
			writeError(w, r, log, err)
		case v == nil:
			w.WriteHeader(status)
		default:
			httpx.JSON(w, status, "application/json", v)
		}
	})
}

// webhookBody checks that caller may manage webhooks, then reads the
// request's WebhookInput: a member learns nothing of the body's rules.
func webhookBody(svc *core.Face, r *http.Request, caller *core.User) (core.WebhookInput, error) {
	if err := svc.May(r.Context(), caller, core.ActWebhooks, nil); err != nil {
		return core.WebhookInput{}, err
	}
	obj, err := httpx.DecodeObject(r)
	if err != nil {
		return core.WebhookInput{}, err
	}
	return webhookRequest(obj)
}

// handleWebhookList handles "GET /webhooks".
func handleWebhookList(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		ws, err := svc.Webhooks(r.Context(), caller)
		if err != nil {
			return nil, err
		}
		out := struct {
			Webhooks []webhookWire `json:"webhooks"`
		}{Webhooks: []webhookWire{}}
		for _, wh := range ws {
			out.Webhooks = append(out.Webhooks, toWebhook(wh))
		}
		return out, nil
	})
}

// handleWebhookCreate handles "POST /webhooks".
func handleWebhookCreate(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusCreated, func(r *http.Request, caller *core.User) (any, error) {
		in, err := webhookBody(svc, r, caller)
		if err != nil {
			return nil, err
		}
		wh, err := svc.CreateWebhook(r.Context(), caller, in)
		if err != nil {
			return nil, err
		}
		return toWebhook(wh), nil
	})
}

// handleWebhookGet handles "GET /webhooks/{id}".
func handleWebhookGet(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		wh, err := svc.Webhook(r.Context(), caller, id)
		if err != nil {
			return nil, err
		}
		return toWebhook(wh), nil
	})
}

// handleWebhookUpdate handles "PATCH /webhooks/{id}".
func handleWebhookUpdate(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		in, err := webhookBody(svc, r, caller)
		if err != nil {
			return nil, err
		}
		wh, err := svc.UpdateWebhook(r.Context(), caller, id, in)
		if err != nil {
			return nil, err
		}
		return toWebhook(wh), nil
	})
}

// handleWebhookDelete handles "DELETE /webhooks/{id}".
func handleWebhookDelete(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusNoContent, func(r *http.Request, caller *core.User) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return nil, svc.DeleteWebhook(r.Context(), caller, id)
	})
}

// maxOverlap bounds overlap_seconds of a rotation: a week.
const maxOverlap = 7 * 24 * 3600

// handleWebhookRotate handles "POST /webhooks/{id}/rotate-secret": an
// optional body {"overlap_seconds": n} says how long the old secret still
// signs (0: not at all; default a day).
func handleWebhookRotate(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		if err := svc.May(r.Context(), caller, core.ActWebhooks, nil); err != nil {
			return nil, err
		}
		var overlap time.Duration
		if r.ContentLength != 0 {
			obj, err := httpx.DecodeObject(r)
			if err != nil {
				return nil, err
			}
			for k, raw := range obj {
				if k != "overlap_seconds" {
					return nil, core.FieldError(k, "is not a field")
				}
				var n float64
				if json.Unmarshal(raw, &n) != nil || n != math.Trunc(n) || n < 0 || n > maxOverlap {
					return nil, core.FieldError(k, "must be a whole number of seconds from 0 to "+strconv.Itoa(maxOverlap))
				}
				overlap = time.Duration(n) * time.Second
				if n == 0 {
					overlap = -1 // core: none
				}
			}
		}
		wh, err := svc.RotateWebhookSecret(r.Context(), caller, id, overlap)
		if err != nil {
			return nil, err
		}
		return toWebhook(wh), nil
	})
}

// handleWebhookTest handles "POST /webhooks/{id}/test".
func handleWebhookTest(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusAccepted, func(r *http.Request, caller *core.User) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		d, err := svc.TestWebhook(r.Context(), caller, id)
		if err != nil {
			return nil, err
		}
		return toDelivery(d), nil
	})
}

var deliveryParams = map[string]bool{"state": true, "limit": true, "cursor": true}

// handleDeliveryList handles "GET /webhooks/{id}/deliveries": the delivery
// log, newest first.
func handleDeliveryList(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		q := r.URL.Query()
		in := core.DeliveryRequest{State: q.Get("state"), Limit: 50, Cursor: q.Get("cursor")}
		id, err := pathID(r, "id")
		if err == nil {
			err = checkParams(q, deliveryParams, "the delivery log")
		}
		if err == nil && q.Has("limit") {
			if in.Limit, err = strconv.Atoi(q.Get("limit")); err != nil {
				err = core.FieldError("limit", "must be an integer from 1 to 1000")
			}
		}
		if err != nil {
			return nil, err
		}
		ds, next, err := svc.WebhookDeliveries(r.Context(), caller, id, in)
		if err != nil {
			return nil, err
		}
		out := struct {
			Deliveries []deliveryWire `json:"deliveries"`
			NextCursor *string        `json:"next_cursor"`
		}{Deliveries: []deliveryWire{}}
		for _, d := range ds {
			out.Deliveries = append(out.Deliveries, toDelivery(d))
		}
		if next != "" {
			out.NextCursor = &next
		}
		return out, nil
	})
}

// deliveryPath reads the webhook and delivery ids of a delivery's path.
func deliveryPath(r *http.Request) (id, delivery int64, err error) {
	if id, err = pathID(r, "id"); err == nil {
		delivery, err = pathID(r, "delivery")
	}
	return id, delivery, err
}

// handleDeliveryGet handles "GET /webhooks/{id}/deliveries/{delivery}":
// a delivery and the log of its attempts.
func handleDeliveryGet(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusOK, func(r *http.Request, caller *core.User) (any, error) {
		id, did, err := deliveryPath(r)
		if err != nil {
			return nil, err
		}
		d, as, err := svc.WebhookDelivery(r.Context(), caller, id, did)
		if err != nil {
			return nil, err
		}
		return toDeliveryDetail(d, as), nil
	})
}

// handleDeliveryRetry handles "POST /webhooks/{id}/deliveries/{delivery}/retry".
func handleDeliveryRetry(svc *core.Face, log *slog.Logger) http.Handler {
	return answer(log, http.StatusAccepted, func(r *http.Request, caller *core.User) (any, error) {
		id, did, err := deliveryPath(r)
		if err != nil {
			return nil, err
		}
		return nil, svc.RetryDelivery(r.Context(), caller, id, did)
	})
}
