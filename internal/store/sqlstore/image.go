package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"usersd/internal/core"
)

// PutImage implements core.Store.
func (db *DB) PutImage(ctx context.Context, img *core.Image) (bool, error) {
	if img.Hash != core.ImageHash(img.WebP) {
		return false, &core.Error{Code: core.Invalid, Message: "The image hash does not match its bytes.", Fields: map[string]string{"hash": "is not the SHA-256 of the image"}}
	}
	ph := db.F.Placeholder
	var created bool
	err := db.tx(ctx, "put image", func(c conn) error {
		res, err := c.ExecContext(ctx, "INSERT INTO images (hash, kind, webp, jpeg, width, height, created_at) VALUES ("+
			ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+") ON CONFLICT (hash) DO NOTHING",
			img.Hash, img.Kind, img.WebP, img.JPEG, img.Width, img.Height, db.encode(img.CreatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			created = n == 1
			return err
		}
		// Already there: renew its age, so a running sweep's grace period
		// covers the reference the caller is about to write.
		_, err = c.ExecContext(ctx, "UPDATE images SET created_at = "+ph(1)+" WHERE hash = "+ph(2)+" AND created_at < "+ph(3),
			db.encode(img.CreatedAt), img.Hash, db.encode(img.CreatedAt))
		return err
	})
	return created, err
}

// FindImage implements core.Store.
func (db *DB) FindImage(ctx context.Context, hash string) (*core.Image, error) {
	img := new(core.Image)
	err := db.queryRow(ctx, "SELECT hash, kind, webp, jpeg, width, height, created_at FROM images WHERE hash = "+db.F.Placeholder(1), hash).
		Scan(&img.Hash, &img.Kind, &img.WebP, &img.JPEG, &img.Width, &img.Height, timeScanner{&img.CreatedAt})
	if err == sql.ErrNoRows {
		return nil, &core.Error{Code: core.NotFound, Message: "Image not found."}
	}
	if err != nil {
		return nil, db.wrap("find image", err)
	}
	return img, nil
}

// SweepImages implements core.Store. The NOT EXISTS probes use the
// indexes of migration 003 on every column that refers to images.
func (db *DB) SweepImages(ctx context.Context, before time.Time) (int, error) {
	res, err := db.exec(ctx, "DELETE FROM images WHERE created_at < "+db.F.Placeholder(1)+
		" AND NOT EXISTS (SELECT 1 FROM users WHERE users.avatar = images.hash)"+
		" AND NOT EXISTS (SELECT 1 FROM members WHERE members.avatar = images.hash)"+
		" AND NOT EXISTS (SELECT 1 FROM pride_flags WHERE pride_flags.hash = images.hash)", db.encode(before))
	if err != nil {
		return 0, db.wrap("sweep images", err)
	}
	n, err := res.RowsAffected()
	return int(n), db.wrap("sweep images", err)
}
