package core

import (
	"context"
	"errors"

	"usersd/internal/imaging"
)

// decodeImage checks a data URI upload (PNG, JPEG or WebP by content,
// bounded by s.Images before decoding) and re-encodes it for storage; the
// caller puts the result with Store.PutImage inside its transaction.
// kind is ImageAvatar or ImageFlag, and names the field of the problem
// ("avatar", "flag": the pronouns.cc body keys).
// Codes: Invalid (ReasonBadImage, ReasonImageTooLarge).
func (s *Service) decodeImage(kind, dataURI string) (*Image, error) {
	l := s.Images
	// A Service built without NewService gets the defaults, not a limit
	// of zero that refuses every upload.
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultImageLimits.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultImageLimits.MaxPixels
	}
	if l.Size <= 0 {
		l.Size = DefaultImageLimits.Size
	}
	out, err := imaging.Process(dataURI, imaging.Limits{MaxBytes: l.MaxBytes, MaxPixels: l.MaxPixels, Size: l.Size})
	if err != nil {
		var e *imaging.Error
		if !errors.As(err, &e) {
			return nil, &Error{Code: Internal, Message: "Internal error.", Err: err}
		}
		reason, msg := ReasonBadImage, "The image could not be used."
		if errors.Is(err, imaging.ErrTooLarge) {
			reason, msg = ReasonImageTooLarge, "The image is too large."
		}
		return nil, &Error{Code: Invalid, Reason: reason, Message: msg, Fields: map[string]string{kind: e.Reason}}
	}
	return &Image{
		Hash:      ImageHash(out.WebP),
		Kind:      kind,
		WebP:      out.WebP,
		JPEG:      out.JPEG,
		Width:     out.Width,
		Height:    out.Height,
		CreatedAt: s.now(),
	}, nil
}

// Image returns a stored image by hash for the media routes. A hash that
// is not 64 lower-case hex digits is NotFound without a store read.
// Codes: NotFound.
func (f *Face) Image(ctx context.Context, hash string) (*Image, error) {
	if !hexHash.MatchString(hash) {
		return nil, &Error{Code: NotFound, Message: "Image not found."}
	}
	return f.s.store.FindImage(ctx, hash)
}
