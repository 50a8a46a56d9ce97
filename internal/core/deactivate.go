package core

import (
	"context"
	"fmt"
	"regexp"
)

// settingDefaults are the column defaults of the settings (spec/fields.md
// §1.4), with every preference flag off, which is what Danbooru's account
// deletion leaves behind.
var settingDefaults = Patch{
	"receive_email_notifications": false, "new_post_navigation_layout": false, "enable_private_favorites": false,
	"show_deleted_children": false, "disable_categorized_saved_searches": false, "disable_tagged_filenames": false,
	"disable_mobile_gestures": false, "enable_safe_mode": false, "enable_desktop_mode": false,
	"disable_post_tooltips": false, "show_deleted_posts": false,
	"per_page": int64(20), "comment_threshold": int64(-8), "default_image_size": "large", "favorite_tags": nil,
	"blacklisted_tags": "guro\nscat\nfurry -rating:g", "custom_style": nil, "theme": "auto",
	"timezone": nil, "timezone_rails": nil,
}

// DeletedName is the name an account deletion gives a user.
func DeletedName(id int64) string { return fmt.Sprintf("user_%d", id) }

var deletedNameRE = regexp.MustCompile(`^user_[0-9]+$`)

// Deactivate is a full account deletion (Danbooru's): the soft delete plus
// a rename to user_<id> (the old name stays in the history, so it can be
// found and restored), password login removed, the e-mail address freed,
// login and forum-read times forgotten, every token revoked and the
// settings reset. Codes: Unauthenticated, NotFound, Forbidden.
func (s *Service) Deactivate(ctx context.Context, actor *User, id int64) error {
	if actor == nil {
		return Errorf(Unauthenticated, "Authentication required.")
	}
	target, err := s.GetUserByID(ctx, actor, id)
	if err != nil {
		return err
	}
	if !canDelete(actor, target) {
		return Errorf(Forbidden, "You may not delete this user.")
	}
	now := s.now()
	p := Patch{"deleted": true, "deleted_at": now, "updated_at": now, "password_hash": nil,
		"name": DeletedName(id), "name_key": Fold(DeletedName(id)),
		"email": nil, "email_key": nil, "last_login_at": nil, "last_forum_read_at": nil}
	for k, v := range settingDefaults {
		p[k] = v
	}
	meta := UpdateMeta{Deletion: true}
	if actor != System {
		meta.By = &actor.ID
	}
	// The rename, its history row and the revocations commit together.
	return s.Store.Tx(ctx, func(tx Store) error {
		if _, err := tx.UpdateUser(ctx, id, p, meta); err != nil {
			return err
		}
		return tx.RevokeTokens(ctx, id, now)
	})
}

// restoreName gives a user renamed by Deactivate their last name back, if
// nobody has taken it since.
func restoreName(ctx context.Context, st Store, u *User, p Patch) error {
	if !deletedNameRE.MatchString(u.Name) {
		return nil
	}
	hist, err := st.NameChanges(ctx, u.ID)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if !hist[i].IsDeletion {
			continue
		}
		old := hist[i].OldName
		if _, err := st.FindUserByNameKey(ctx, Fold(old)); ErrorCode(err) == NotFound {
			p["name"], p["name_key"] = old, Fold(old)
		}
		return nil
	}
	return nil
}
