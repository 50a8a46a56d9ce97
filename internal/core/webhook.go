package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook is an endpoint that receives the audit log's events as they
// commit: AppendAudit writes a Delivery of each entry for every enabled
// webhook subscribed to its action, in the entry's own transaction (the
// outbox), and a dispatcher (internal/webhook) sends them.
type Webhook struct {
	ID          int64
	URL         string
	Description string
	Events      []string // actions of AuditActions, or just WebhookAllEvents
	Enabled     bool
	// Secret signs every delivery (Standard Webhooks: "whsec_" and the
	// base64 of the key). It is shown when it is made and never again.
	Secret string
	// OldSecret also signs deliveries until OldSecretUntil, so that a
	// receiver can move to a rotated secret without refusing events.
	OldSecret      string
	OldSecretUntil *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Secrets returns the secrets a delivery at now is signed with.
func (w *Webhook) Secrets(now time.Time) []string {
	s := []string{w.Secret}
	if w.OldSecret != "" && w.OldSecretUntil != nil && now.Before(*w.OldSecretUntil) {
		s = append(s, w.OldSecret)
	}
	return s
}

// WebhookAllEvents subscribes a webhook to every action.
const WebhookAllEvents = "*"

// EventWebhookTest is the event of a test delivery, which only the
// webhook it is sent to receives.
const EventWebhookTest = "webhook.test"

// States of a Delivery.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt
	DeliveryDelivered = "delivered" // a 2xx answered it
	DeliveryDead      = "dead"      // every attempt failed (dead letter)
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID         int64
	WebhookID  int64
	AuditID    *int64 // the event's entry; nil for a test event
	Event      string
	State      string
	Attempts   int
	CreatedAt  time.Time
	NextAt     time.Time  // when a pending delivery is next tried
	FinishedAt *time.Time // when it was delivered or given up
	LastStatus *int       // the last attempt's response status
	LastError  *string    // the last attempt's failure

	// ClaimDeliveries fills these with what sending needs. Entry is nil
	// for a test event.
	Webhook *Webhook
	Entry   *AuditEntry
}

// DeliveryAttempt is one try at sending a delivery: the delivery log.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	Status     int // the response's status; 0 when none came
	Latency    time.Duration
	Response   string // the response body's first MaxResponseSnippet bytes
	Error      string // why the attempt failed without a response
}

// MaxResponseSnippet bounds the response body an attempt keeps.
const MaxResponseSnippet = 1024

// WebhookStore persists webhooks and their deliveries. Deliveries of
// audit entries are written by AuditStore.AppendAudit.
type WebhookStore interface {
	// CreateWebhook inserts w with its events and sets its ID.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// UpdateWebhook writes every field of w but CreatedAt, and replaces
	// its events. Codes: NotFound.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook deletes a webhook and its deliveries. Codes: NotFound.
	DeleteWebhook(ctx context.Context, id int64) error
	// FindWebhook returns a webhook with its secrets. Codes: NotFound.
	FindWebhook(ctx context.Context, id int64) (*Webhook, error)
	// FindWebhooks returns every webhook, by id.
	FindWebhooks(ctx context.Context) ([]*Webhook, error)
	// EnqueueDelivery inserts a pending delivery due at d.NextAt and sets
	// its ID.
	EnqueueDelivery(ctx context.Context, d *Delivery) error
	// ClaimDeliveries takes up to n pending deliveries of enabled webhooks
	// due at now and not claimed by another dispatcher: each is held until
	// now+lease, so that a dispatcher that dies with it lets another
	// take it over after that. Concurrent claims (other nodes) get
	// disjoint deliveries. Each carries its Webhook and Entry.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*Delivery, error)
	// FinishAttempt records attempt a of d and writes d's new State,
	// Attempts, NextAt, FinishedAt, LastStatus and LastError, releasing
	// the claim. Codes: NotFound (the webhook was deleted meanwhile).
	FinishAttempt(ctx context.Context, d *Delivery, a *DeliveryAttempt) error
	// FindDeliveries returns up to limit deliveries of a webhook with ids
	// below before (0: from the newest), newest first; state "" is any.
	FindDeliveries(ctx context.Context, webhookID int64, state string, before int64, limit int) ([]*Delivery, error)
	// FindDelivery returns a delivery of a webhook and its attempts, in
	// order. Codes: NotFound.
	FindDelivery(ctx context.Context, webhookID, id int64) (*Delivery, []*DeliveryAttempt, error)
	// RetryDelivery makes a delivered or dead delivery pending again, due
	// at now with no attempts spent. Codes: NotFound, Conflict (pending).
	RetryDelivery(ctx context.Context, webhookID, id int64, now time.Time) error
	// PruneDeliveries deletes deliveries finished before before and
	// returns how many it deleted.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)
}

// WebhookInput is what an admin sets on a webhook; nil fields of an
// update are left as they are.
type WebhookInput struct {
	URL         *string
	Description *string
	Events      []string // nil: unchanged
	Enabled     *bool
}

// maxWebhookURL and maxWebhookDescription bound a webhook's texts.
const (
	maxWebhookURL         = 2048
	maxWebhookDescription = 500
)

// DefaultSecretOverlap is how long a rotated-out secret still signs
// deliveries.
const DefaultSecretOverlap = 24 * time.Hour

// newWebhookSecret returns a fresh signing secret: 32 random bytes.
func newWebhookSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand docs)
	return "whsec_" + base64.StdEncoding.EncodeToString(b[:])
}

// apply checks in and writes it to w.
func (in WebhookInput) apply(w *Webhook) error {
	fields := map[string]string{}
	if in.URL != nil {
		if msg := checkWebhookURL(*in.URL); msg != "" {
			fields["url"] = msg
		}
		w.URL = *in.URL
	}
	if in.Description != nil {
		if len(*in.Description) > maxWebhookDescription {
			fields["description"] = "must be at most " + strconv.Itoa(maxWebhookDescription) + " bytes"
		}
		w.Description = *in.Description
	}
	if in.Events != nil {
		events, msg := checkWebhookEvents(in.Events)
		if msg != "" {
			fields["events"] = msg
		}
		w.Events = events
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	if len(fields) > 0 {
		return &Error{Code: Invalid, Message: "Invalid webhook.", Fields: fields}
	}
	return nil
}

func checkWebhookURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "is required"
	case len(s) > maxWebhookURL:
		return "must be at most " + strconv.Itoa(maxWebhookURL) + " bytes"
	case err != nil || !u.IsAbs() || u.Host == "" || u.Scheme != "http" && u.Scheme != "https":
		return "must be an absolute http or https URL"
	case u.User != nil:
		return "must not hold a user name or password"
	case u.Fragment != "":
		return "must not hold a fragment"
	}
	return ""
}

func checkWebhookEvents(in []string) ([]string, string) {
	if len(in) == 0 {
		return nil, "must name at least one event"
	}
	out := slices.Clone(in)
	slices.Sort(out)
	out = slices.Compact(out)
	for _, e := range out {
		if e == WebhookAllEvents {
			if len(out) > 1 {
				return nil, `"*" subscribes to every event and stands alone`
			}
			continue
		}
		if !slices.Contains(AuditActions, e) {
			return nil, "unknown event " + strconv.Quote(e) + " (known: " + strings.Join(AuditActions, ", ") + ")"
		}
	}
	return out, ""
}

// withoutSecrets is w as listings show it.
func withoutSecrets(w *Webhook) *Webhook {
	c := *w
	c.Secret, c.OldSecret = "", ""
	return &c
}

// webhookDiff is the audit diff of a webhook's change (before nil: its
// creation); secrets show only as changed.
func webhookDiff(before, after *Webhook) json.RawMessage {
	d := map[string]any{"webhook_id": after.ID}
	change := func(name string, old, new any, same bool) {
		switch {
		case before == nil:
			d[name] = map[string]any{"new": new}
		case !same:
			d[name] = map[string]any{"old": old, "new": new}
		}
	}
	var b Webhook
	if before != nil {
		b = *before
	}
	change("url", b.URL, after.URL, b.URL == after.URL)
	if after.Description != "" || before != nil {
		change("description", b.Description, after.Description, b.Description == after.Description)
	}
	change("events", b.Events, after.Events, slices.Equal(b.Events, after.Events))
	change("enabled", b.Enabled, after.Enabled, b.Enabled == after.Enabled)
	if before != nil && b.Secret != after.Secret {
		d["secret"] = map[string]any{"changed": true}
	}
	out, _ := json.Marshal(d)
	return out
}

// Webhooks lists every webhook, without secrets. Admins only.
// Codes: Unauthenticated, Forbidden.
func (f *Face) Webhooks(ctx context.Context, actor *User) ([]*Webhook, error) {
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, err
	}
	ws, err := f.s.store.FindWebhooks(ctx)
	for i, w := range ws {
		ws[i] = withoutSecrets(w)
	}
	return ws, err
}

// Webhook returns one webhook, without secrets. Admins only.
// Codes: Unauthenticated, Forbidden, NotFound.
func (f *Face) Webhook(ctx context.Context, actor *User, id int64) (*Webhook, error) {
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, err
	}
	w, err := f.s.store.FindWebhook(ctx, id)
	if err != nil {
		return nil, webhookNotFound(err)
	}
	return withoutSecrets(w), nil
}

func webhookNotFound(err error) error {
	if ErrorCode(err) == NotFound {
		return Errorf(NotFound, "Webhook not found.")
	}
	return err
}

// CreateWebhook registers an endpoint; the webhook returned holds its
// secret, which is never shown again. Enabled defaults to true. Admins
// only. Codes: Unauthenticated, Forbidden, Invalid.
func (f *Face) CreateWebhook(ctx context.Context, actor *User, in WebhookInput) (*Webhook, error) {
	ctx = f.in(ctx)
	s := f.s
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, err
	}
	now := s.now()
	w := &Webhook{Enabled: true, Secret: newWebhookSecret(), CreatedAt: now, UpdatedAt: now}
	if in.URL == nil {
		in.URL = new(string)
	}
	if in.Events == nil {
		in.Events = []string{}
	}
	if err := in.apply(w); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateWebhook(ctx, w); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditWebhookCreated, actor, nil, webhookDiff(nil, w)))
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// UpdateWebhook changes a webhook's URL, description, events or
// enablement. Admins only. Codes: Unauthenticated, Forbidden, NotFound,
// Invalid.
func (f *Face) UpdateWebhook(ctx context.Context, actor *User, id int64, in WebhookInput) (*Webhook, error) {
	w, err := f.changeWebhook(ctx, actor, id, AuditWebhookUpdated, func(w *Webhook) error { return in.apply(w) })
	if err != nil {
		return nil, err
	}
	return withoutSecrets(w), nil
}

// RotateWebhookSecret gives a webhook a new secret and returns the webhook
// with it. The old secret signs deliveries beside the new one for overlap
// (0: DefaultSecretOverlap; negative: not at all), so a receiver can
// switch without refusing events. Admins only.
// Codes: Unauthenticated, Forbidden, NotFound.
func (f *Face) RotateWebhookSecret(ctx context.Context, actor *User, id int64, overlap time.Duration) (*Webhook, error) {
	if overlap == 0 {
		overlap = DefaultSecretOverlap
	}
	now := f.s.now()
	return f.changeWebhook(ctx, actor, id, AuditWebhookRotated, func(w *Webhook) error {
		w.OldSecret, w.OldSecretUntil = "", nil
		if overlap > 0 {
			until := now.Add(overlap)
			w.OldSecret, w.OldSecretUntil = w.Secret, &until
		}
		w.Secret = newWebhookSecret()
		return nil
	})
}

// changeWebhook applies change to a webhook in one transaction with its
// audit entry, and returns the webhook as written.
func (f *Face) changeWebhook(ctx context.Context, actor *User, id int64, action string, change func(*Webhook) error) (*Webhook, error) {
	ctx = f.in(ctx)
	s := f.s
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, err
	}
	var w *Webhook
	err := s.store.Tx(ctx, func(tx Store) error {
		before, err := tx.FindWebhook(ctx, id)
		if err != nil {
			return err
		}
		after := *before
		after.Events = slices.Clone(before.Events)
		if err := change(&after); err != nil {
			return err
		}
		after.UpdatedAt = s.now()
		if err := tx.UpdateWebhook(ctx, &after); err != nil {
			return err
		}
		w = &after
		return tx.AppendAudit(ctx, s.audit(ctx, action, actor, nil, webhookDiff(before, &after)))
	})
	return w, webhookNotFound(err)
}

// DeleteWebhook removes a webhook and its delivery log. Admins only.
// Codes: Unauthenticated, Forbidden, NotFound.
func (f *Face) DeleteWebhook(ctx context.Context, actor *User, id int64) error {
	ctx = f.in(ctx)
	s := f.s
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return err
	}
	err := s.store.Tx(ctx, func(tx Store) error {
		w, err := tx.FindWebhook(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhook(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.audit(ctx, AuditWebhookDeleted, actor, nil,
			eventDiff("webhook_id", w.ID, "url", w.URL)))
	})
	return webhookNotFound(err)
}

// TestWebhook queues a test event for a webhook, delivered like any
// other (even while the webhook is disabled it waits for it). Admins
// only. Codes: Unauthenticated, Forbidden, NotFound.
func (f *Face) TestWebhook(ctx context.Context, actor *User, id int64) (*Delivery, error) {
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, err
	}
	if _, err := f.s.store.FindWebhook(ctx, id); err != nil {
		return nil, webhookNotFound(err)
	}
	now := f.s.now()
	d := &Delivery{WebhookID: id, Event: EventWebhookTest, State: DeliveryPending, CreatedAt: now, NextAt: now}
	if err := f.s.store.EnqueueDelivery(ctx, d); err != nil {
		return nil, webhookNotFound(err)
	}
	return d, nil
}

// DeliveryRequest is the input of WebhookDeliveries.
type DeliveryRequest struct {
	State  string // "" or a Delivery state
	Limit  int
	Cursor string
}

// WebhookDeliveries returns a page of a webhook's delivery log, newest
// first, and the cursor of the next page ("" at the end). Admins only.
// Codes: Unauthenticated, Forbidden, NotFound, Invalid.
func (f *Face) WebhookDeliveries(ctx context.Context, actor *User, id int64, in DeliveryRequest) ([]*Delivery, string, error) {
	if _, err := f.Webhook(ctx, actor, id); err != nil {
		return nil, "", err
	}
	switch in.State {
	case "", DeliveryPending, DeliveryDelivered, DeliveryDead:
	default:
		return nil, "", FieldError("state", "must be pending, delivered or dead")
	}
	if in.Limit < 1 || in.Limit > 1000 {
		return nil, "", FieldError("limit", "must be between 1 and 1000")
	}
	var before int64
	if in.Cursor != "" {
		var err error
		if before, err = strconv.ParseInt(in.Cursor, 10, 64); err != nil || before < 1 {
			return nil, "", FieldError("cursor", "is not a cursor of this listing")
		}
	}
	ds, err := f.s.store.FindDeliveries(ctx, id, in.State, before, in.Limit+1)
	if err != nil || len(ds) <= in.Limit {
		return ds, "", err
	}
	ds = ds[:in.Limit]
	return ds, strconv.FormatInt(ds[in.Limit-1].ID, 10), nil
}

// WebhookDelivery returns one delivery of a webhook with its attempts.
// Admins only. Codes: Unauthenticated, Forbidden, NotFound.
func (f *Face) WebhookDelivery(ctx context.Context, actor *User, id, deliveryID int64) (*Delivery, []*DeliveryAttempt, error) {
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return nil, nil, err
	}
	d, as, err := f.s.store.FindDelivery(ctx, id, deliveryID)
	if ErrorCode(err) == NotFound {
		return nil, nil, Errorf(NotFound, "Delivery not found.")
	}
	return d, as, err
}

// RetryDelivery sends a delivered or dead delivery again, from its first
// attempt. Admins only. Codes: Unauthenticated, Forbidden, NotFound,
// Conflict (it is still pending).
func (f *Face) RetryDelivery(ctx context.Context, actor *User, id, deliveryID int64) error {
	if err := f.May(ctx, actor, ActWebhooks, nil); err != nil {
		return err
	}
	err := f.s.store.RetryDelivery(ctx, id, deliveryID, f.s.now())
	if ErrorCode(err) == NotFound {
		return Errorf(NotFound, "Delivery not found.")
	}
	return err
}

// WebhookPayload is the body of a delivery, as the Standard Webhooks
// specification shapes it: the event's type, when it happened, and its
// data: the audit entry, or for a test event the webhook it tests.
func WebhookPayload(d *Delivery) ([]byte, error) {
	p := struct {
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Data      any    `json:"data"`
	}{Type: d.Event, Timestamp: d.CreatedAt.UTC().Format(time.RFC3339Nano)}
	switch {
	case d.Entry != nil:
		p.Timestamp = d.Entry.At.UTC().Format(time.RFC3339Nano)
		p.Data = d.Entry
	case d.AuditID != nil:
		// The entry was pruned while the delivery waited (PruneAudit keeps
		// those of pending deliveries, so only a retried old one).
		p.Data = map[string]any{"id": *d.AuditID, "pruned": true}
	default:
		p.Data = map[string]any{"webhook_id": d.WebhookID, "delivery_id": d.ID}
	}
	return json.Marshal(p)
}
