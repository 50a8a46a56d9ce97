package core

import (
	"context"
	"time"
)

// ImageGrace is how long an unreferenced image is kept: an upload is put
// before the row that refers to it commits, so a sweep spares new images
// for longer than any write takes (spec/fields.md §5 Q7).
const ImageGrace = time.Hour

// SweepResult counts what one Sweep deleted.
type SweepResult struct {
	Images     int
	Sessions   int
	Audit      int // audit entries past Service.AuditRetention
	Deliveries int // webhook deliveries finished before it
}

// Sweep deletes what nobody needs any more: images no user, member or
// flag has referred to for ImageGrace (a replaced avatar, a deleted
// flag's picture), expired sessions, and audit entries and finished
// webhook deliveries older than AuditRetention. Every node may run it; the
// deletes are idempotent.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := s.now()
	var err error
	if r.Images, err = s.store.SweepImages(ctx, now.Add(-ImageGrace)); err != nil {
		return r, err
	}
	if r.Sessions, err = s.store.SweepSessions(ctx, now); err != nil {
		return r, err
	}
	if s.AuditRetention > 0 {
		if r.Audit, err = s.store.PruneAudit(ctx, now.Add(-s.AuditRetention)); err != nil {
			return r, err
		}
		r.Deliveries, err = s.store.PruneDeliveries(ctx, now.Add(-s.AuditRetention))
	}
	return r, err
}

// RunSweeper runs Sweep every interval until ctx ends, logging what it
// deleted and any failure.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r, err := s.Sweep(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Log.Warn("sweep", "err", err)
		case r.Images+r.Sessions > 0:
			s.Log.Info("sweep", "images", r.Images, "sessions", r.Sessions)
		}
	}
}
