package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Image kinds (spec/fields.md §2.8).
const (
	ImageAvatar = "avatar"
	ImageFlag   = "flag"
)

// ImageMIME is the type of every stored image: the core re-encodes
// uploads to WebP (with an optional JPEG twin), so the table has no MIME
// column.
const ImageMIME = "image/webp"

// Image is a content-addressed image: avatars of users and members, pride
// flags. Its key is the SHA-256 of its WebP bytes, so the same picture is
// stored once whoever uploads it, and a changed picture has a new key.
type Image struct {
	Hash      string // ImageHash(WebP)
	Kind      string // ImageAvatar or ImageFlag: the first upload's
	WebP      []byte
	JPEG      []byte // twin for .jpg URLs; nil if none
	Width     int
	Height    int
	CreatedAt time.Time // the last PutImage of these bytes (see ImageStore)
}

// Size is the byte size of the WebP.
func (img *Image) Size() int { return len(img.WebP) }

// ImageHash is the key of an image: SHA-256 of its WebP bytes, 64 lower-case
// hex digits (pronouns.cc's hash).
func ImageHash(webp []byte) string {
	h := sha256.Sum256(webp)
	return hex.EncodeToString(h[:])
}

// ImageStore persists images. There are no reference counts: users,
// members and flags refer to an image by hash (foreign keys), and
// SweepImages deletes the images nobody refers to once they are older than
// a grace period that covers writes in flight (spec/fields.md §5 Q7).
type ImageStore interface {
	// PutImage stores img unless an image with its hash exists, and
	// reports whether it did. Putting existing bytes again renews their
	// CreatedAt, so a sweep spares them for the grace period while the
	// caller goes on to refer to them. Codes: Invalid if img.Hash is not
	// ImageHash(img.WebP) or a value is out of range.
	PutImage(ctx context.Context, img *Image) (created bool, err error)
	// FindImage returns the image of a hash. Codes: NotFound.
	FindImage(ctx context.Context, hash string) (*Image, error)
	// SweepImages deletes the images created (or last put) before before
	// that no user, member or flag refers to, and returns how many.
	SweepImages(ctx context.Context, before time.Time) (int, error)
}
