// Package webhook sends the webhook outbox: it claims due deliveries from
// the store, signs each per the Standard Webhooks specification, posts it
// and records the attempt, retrying failures with exponential back-off
// until a delivery succeeds or goes to the dead letters.
//
// Delivery is at least once: a dispatcher that dies after a receiver
// answered but before it recorded the answer leaves the delivery to be
// sent again when its lease ends. Receivers deduplicate by webhook-id,
// which is the same for every attempt of a delivery.
package webhook

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"usersd/internal/core"
)

// Defaults of a Dispatcher's zero fields.
const (
	DefaultPoll       = time.Second
	DefaultTimeout    = 10 * time.Second
	DefaultAttempts   = 10
	DefaultBackoff    = time.Minute
	DefaultMaxBackoff = 6 * time.Hour
	DefaultBatch      = 16
)

// Dispatcher delivers webhooks. Every node may run one: claims are
// disjoint (core.WebhookStore.ClaimDeliveries).
type Dispatcher struct {
	Store core.WebhookStore
	Log   *slog.Logger
	// Poll is how often the outbox is read when the last read found
	// nothing due.
	Poll time.Duration
	// Timeout bounds one attempt; a claim is held for twice as long, so a
	// delivery whose dispatcher died is sent again soon after.
	Timeout time.Duration
	// Attempts is how many tries a delivery gets before it is dead.
	Attempts int
	// Backoff is the wait after the first failure; each further failure
	// doubles it, up to MaxBackoff, with ±10% jitter so that a receiver
	// that was down is not hit by every retry at once.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Batch is how many deliveries may be in flight at once.
	Batch int
	// Client sends the requests; nil: one with Timeout that follows no
	// redirects (a redirect is a failed attempt).
	Client *http.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Observe, when set, is told each attempt's outcome ("delivered",
	// "failed" or "dead") and latency: the metrics.
	Observe func(outcome string, latency time.Duration)

	once sync.Once
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.Poll = or(d.Poll, DefaultPoll)
		d.Timeout = or(d.Timeout, DefaultTimeout)
		d.Attempts = or(d.Attempts, DefaultAttempts)
		d.Backoff = or(d.Backoff, DefaultBackoff)
		d.MaxBackoff = or(d.MaxBackoff, DefaultMaxBackoff)
		d.Batch = or(d.Batch, DefaultBatch)
		if d.Client == nil {
			d.Client = &http.Client{Timeout: d.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
		}
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Log == nil {
			d.Log = slog.New(slog.DiscardHandler)
		}
	})
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Run delivers until ctx ends, at most Batch deliveries in flight. It
// claims as many as there are free slots and starts each at once, so a
// receiver that takes its whole timeout holds one slot, not the others'
// deliveries; when a claim fills every free slot it claims again at once,
// else it waits Poll. It returns when ctx ends and the attempts in
// flight have given up.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	slots := make(chan struct{}, d.Batch) // one token per delivery in flight
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		// Only this loop fills slots, so free can only grow until it does.
		free := cap(slots) - len(slots)
		claimed := 0
		if free > 0 {
			ds, err := d.Store.ClaimDeliveries(ctx, d.Now(), 2*d.Timeout, free)
			if err != nil && ctx.Err() == nil {
				d.Log.Warn("webhooks", "err", err)
			}
			for _, del := range ds {
				slots <- struct{}{}
				wg.Go(func() {
					defer func() { <-slots }()
					if err := d.deliver(ctx, del); err != nil && ctx.Err() == nil {
						d.Log.Warn("webhooks", "delivery", del.ID, "err", err)
					}
				})
			}
			claimed = len(ds)
		}
		if claimed > 0 && claimed == free {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(d.Poll):
		}
	}
}

// deliver makes one attempt at del and records it.
func (d *Dispatcher) deliver(ctx context.Context, del *core.Delivery) error {
	if del.Webhook == nil {
		return nil // deleted since the claim, with its deliveries
	}
	start := d.Now()
	a := &core.DeliveryAttempt{DeliveryID: del.ID, At: start}
	a.Status, a.Response, a.Error = d.send(ctx, del, start)
	if ctx.Err() != nil {
		// Shutting down mid-attempt: the claim runs out and another
		// attempt (here after a restart, or on another node) sends it.
		return nil
	}
	end := d.Now()
	a.Latency = end.Sub(start)
	del.Attempts++
	del.LastStatus, del.LastError = nil, nil
	if a.Status != 0 {
		del.LastStatus = &a.Status
	}
	if a.Error != "" {
		del.LastError = &a.Error
	}
	outcome := "failed"
	switch {
	case a.Status >= 200 && a.Status < 300:
		del.State, del.FinishedAt, outcome = core.DeliveryDelivered, &end, "delivered"
	case del.Attempts >= d.Attempts:
		del.State, del.FinishedAt, outcome = core.DeliveryDead, &end, "dead"
		d.Log.Warn("webhook delivery dead", "webhook", del.WebhookID, "delivery", del.ID, "event", del.Event, "attempts", del.Attempts)
	default:
		del.NextAt = end.Add(d.backoff(del.Attempts))
	}
	if d.Observe != nil {
		d.Observe(outcome, a.Latency)
	}
	err := d.Store.FinishAttempt(context.WithoutCancel(ctx), del, a)
	if core.ErrorCode(err) == core.NotFound {
		return nil // the webhook was deleted meanwhile
	}
	return err
}

// backoff is the wait after the n-th failed attempt.
func (d *Dispatcher) backoff(n int) time.Duration {
	wait := d.Backoff
	for i := 1; i < n && wait < d.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, d.MaxBackoff)
	jitter := time.Duration(float64(wait) * 0.1 * (2*rand.Float64() - 1))
	return wait + jitter
}

// send posts del's payload and returns the response's status and the
// start of its body, or why no response came.
func (d *Dispatcher) send(ctx context.Context, del *core.Delivery, now time.Time) (status int, snippet, failure string) {
	body, err := core.WebhookPayload(del)
	if err != nil {
		return 0, "", "payload: " + err.Error()
	}
	id := "msg_" + strconv.FormatInt(del.ID, 10)
	var sigs []string
	for _, secret := range del.Webhook.Secrets(now) {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			return 0, "", "secret: " + err.Error()
		}
		sig, err := wh.Sign(id, now, body)
		if err != nil {
			return 0, "", "sign: " + err.Error()
		}
		sigs = append(sigs, sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.Webhook.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", "request: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "usersd-webhooks")
	req.Header.Set(standardwebhooks.HeaderWebhookID, id)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, strings.Join(sigs, " "))
	resp, err := d.Client.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, core.MaxResponseSnippet))
	// Drain a little more so the connection can be reused; a receiver that
	// answers with more is cut off.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	// PostgreSQL text holds no NUL.
	return resp.StatusCode, strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "\uFFFD"), ""
}
