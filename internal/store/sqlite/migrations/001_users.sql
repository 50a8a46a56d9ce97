-- The canonical user model (spec/fields.md). Times are INTEGER microseconds
-- since the Unix epoch (UTC); booleans are INTEGER 0/1; JSON is TEXT checked
-- by json_valid; *_key columns hold the core's Unicode case folding because
-- SQLite's lower() folds ASCII only. BINARY collation everywhere, so ordering
-- is code-point order, as on PostgreSQL with COLLATE "C".

CREATE TABLE images (
    hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),
    kind       TEXT NOT NULL CHECK (kind IN ('avatar', 'flag')),
    webp       BLOB NOT NULL,
    jpeg       BLOB,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    xid                TEXT NOT NULL CHECK (length(xid) = 20),
    sid                TEXT NOT NULL CHECK (length(sid) = 5),
    name               TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 150),
    name_key           TEXT NOT NULL CHECK (length(name_key) BETWEEN 1 AND 150),
    email              TEXT CHECK (length(email) <= 254 AND instr(email, '@') > 0),
    email_key          TEXT CHECK (length(email_key) <= 254),
    first_name         TEXT NOT NULL DEFAULT '' CHECK (length(first_name) <= 150),
    first_name_key     TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '' CHECK (length(last_name) <= 150),
    last_name_key      TEXT NOT NULL DEFAULT '',
    display_name       TEXT CHECK (length(display_name) BETWEEN 1 AND 100),

    level                 INTEGER NOT NULL DEFAULT 20 CHECK (level IN (10, 20, 30, 31, 32, 35, 37, 40, 50, 60)),
    active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    banned                INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
    deleted               INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    deleted_at            INTEGER,
    requires_verification INTEGER NOT NULL DEFAULT 0 CHECK (requires_verification IN (0, 1)),
    email_verified        INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    inviter_id            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    anonymized            INTEGER NOT NULL DEFAULT 0 CHECK (anonymized IN (0, 1)),
    user_type             TEXT NOT NULL DEFAULT 'registered' CHECK (user_type IN ('guest', 'registered')),
    can_approve_posts     INTEGER NOT NULL DEFAULT 0 CHECK (can_approve_posts IN (0, 1)),
    can_upload_free       INTEGER NOT NULL DEFAULT 0 CHECK (can_upload_free IN (0, 1)),
    no_flagging           INTEGER NOT NULL DEFAULT 0 CHECK (no_flagging IN (0, 1)),
    replacements_beta     INTEGER NOT NULL DEFAULT 0 CHECK (replacements_beta IN (0, 1)),
    base_upload_limit     INTEGER NOT NULL DEFAULT 10 CHECK (base_upload_limit >= 0),
    private_profile       INTEGER NOT NULL DEFAULT 0 CHECK (private_profile IN (0, 1)),
    list_private          INTEGER NOT NULL DEFAULT 0 CHECK (list_private IN (0, 1)),

    bio                         TEXT CHECK (length(bio) BETWEEN 1 AND 50000),
    artist_info                 TEXT CHECK (length(artist_info) BETWEEN 1 AND 50000),
    member_title                TEXT CHECK (length(member_title) BETWEEN 1 AND 150),
    links                       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(links)),
    preferred_names             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(preferred_names)),
    pronouns                    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pronouns)),
    profile_fields              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(profile_fields)),
    custom_preferences          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom_preferences)),
    avatar                      TEXT REFERENCES images (hash),
    avatar_post_id              INTEGER CHECK (avatar_post_id > 0),
    artist_tags                 TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(artist_tags)),
    timezone                    TEXT CHECK (length(timezone) <= 64),
    timezone_rails              TEXT CHECK (length(timezone_rails) <= 64),
    language                    TEXT NOT NULL DEFAULT '' CHECK (length(language) <= 35),
    date_of_birth               TEXT CHECK (date_of_birth IS date(date_of_birth)),
    gender                      TEXT CHECK (gender IN ('male', 'female')),
    phone                       TEXT CHECK (length(phone) <= 32),
    email_allowed               INTEGER NOT NULL DEFAULT 0 CHECK (email_allowed IN (0, 1)),
    sms_allowed                 INTEGER NOT NULL DEFAULT 0 CHECK (sms_allowed IN (0, 1)),
    call_allowed                INTEGER NOT NULL DEFAULT 0 CHECK (call_allowed IN (0, 1)),
    attributes                  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    attributes_kwargs           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes_kwargs)),
    localized_attributes        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(localized_attributes)),
    localized_attributes_kwargs TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(localized_attributes_kwargs)),

    receive_email_notifications        INTEGER NOT NULL DEFAULT 0 CHECK (receive_email_notifications IN (0, 1)),
    new_post_navigation_layout         INTEGER NOT NULL DEFAULT 1 CHECK (new_post_navigation_layout IN (0, 1)),
    enable_private_favorites           INTEGER NOT NULL DEFAULT 0 CHECK (enable_private_favorites IN (0, 1)),
    show_deleted_children              INTEGER NOT NULL DEFAULT 0 CHECK (show_deleted_children IN (0, 1)),
    disable_categorized_saved_searches INTEGER NOT NULL DEFAULT 0 CHECK (disable_categorized_saved_searches IN (0, 1)),
    disable_tagged_filenames           INTEGER NOT NULL DEFAULT 0 CHECK (disable_tagged_filenames IN (0, 1)),
    disable_mobile_gestures            INTEGER NOT NULL DEFAULT 0 CHECK (disable_mobile_gestures IN (0, 1)),
    enable_safe_mode                   INTEGER NOT NULL DEFAULT 0 CHECK (enable_safe_mode IN (0, 1)),
    enable_desktop_mode                INTEGER NOT NULL DEFAULT 0 CHECK (enable_desktop_mode IN (0, 1)),
    disable_post_tooltips              INTEGER NOT NULL DEFAULT 0 CHECK (disable_post_tooltips IN (0, 1)),
    show_deleted_posts                 INTEGER NOT NULL DEFAULT 0 CHECK (show_deleted_posts IN (0, 1)),

    per_page           INTEGER NOT NULL DEFAULT 20 CHECK (per_page BETWEEN 1 AND 320),
    comment_threshold  INTEGER NOT NULL DEFAULT -8 CHECK (comment_threshold BETWEEN -49999 AND 49999),
    default_image_size TEXT NOT NULL DEFAULT 'large' CHECK (default_image_size IN ('large', 'original', 'fit', 'fitv')),
    favorite_tags      TEXT CHECK (length(favorite_tags) <= 100000),
    blacklisted_tags   TEXT NOT NULL DEFAULT 'guro
scat
furry -rating:g' CHECK (length(blacklisted_tags) <= 150000),
    custom_style       TEXT CHECK (length(custom_style) <= 500000),
    theme              TEXT NOT NULL DEFAULT 'auto' CHECK (theme IN ('auto', 'light', 'dark')),

    blacklist_users                 INTEGER NOT NULL DEFAULT 0 CHECK (blacklist_users IN (0, 1)),
    description_collapsed_initially INTEGER NOT NULL DEFAULT 0 CHECK (description_collapsed_initially IN (0, 1)),
    hide_comments                   INTEGER NOT NULL DEFAULT 0 CHECK (hide_comments IN (0, 1)),
    show_hidden_comments            INTEGER NOT NULL DEFAULT 0 CHECK (show_hidden_comments IN (0, 1)),
    show_post_statistics            INTEGER NOT NULL DEFAULT 1 CHECK (show_post_statistics IN (0, 1)),
    enable_keyboard_navigation      INTEGER NOT NULL DEFAULT 1 CHECK (enable_keyboard_navigation IN (0, 1)),
    enable_auto_complete            INTEGER NOT NULL DEFAULT 1 CHECK (enable_auto_complete IN (0, 1)),
    disable_responsive_mode         INTEGER NOT NULL DEFAULT 0 CHECK (disable_responsive_mode IN (0, 1)),
    disable_user_dmails             INTEGER NOT NULL DEFAULT 0 CHECK (disable_user_dmails IN (0, 1)),
    enable_compact_uploader         INTEGER NOT NULL DEFAULT 0 CHECK (enable_compact_uploader IN (0, 1)),
    forum_notification_dot          INTEGER NOT NULL DEFAULT 0 CHECK (forum_notification_dot IN (0, 1)),
    dmail_filter_words              TEXT NOT NULL DEFAULT '' CHECK (length(dmail_filter_words) <= 10000),
    recent_tags                     TEXT NOT NULL DEFAULT '' CHECK (length(recent_tags) <= 10000),

    post_upload_count               INTEGER NOT NULL DEFAULT 0 CHECK (post_upload_count >= 0),
    post_deleted_count              INTEGER NOT NULL DEFAULT 0 CHECK (post_deleted_count >= 0),
    post_active_count               INTEGER GENERATED ALWAYS AS (max(post_upload_count - post_deleted_count, 0)) STORED,
    post_update_count               INTEGER NOT NULL DEFAULT 0 CHECK (post_update_count >= 0),
    note_update_count               INTEGER NOT NULL DEFAULT 0 CHECK (note_update_count >= 0),
    favorite_count                  INTEGER NOT NULL DEFAULT 0 CHECK (favorite_count >= 0),
    comment_count                   INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    forum_post_count                INTEGER NOT NULL DEFAULT 0 CHECK (forum_post_count >= 0),
    wiki_page_version_count         INTEGER NOT NULL DEFAULT 0 CHECK (wiki_page_version_count >= 0),
    artist_version_count            INTEGER NOT NULL DEFAULT 0 CHECK (artist_version_count >= 0),
    artist_commentary_version_count INTEGER NOT NULL DEFAULT 0 CHECK (artist_commentary_version_count >= 0),
    pool_version_count              INTEGER NOT NULL DEFAULT 0 CHECK (pool_version_count >= 0),
    favorite_group_count            INTEGER NOT NULL DEFAULT 0 CHECK (favorite_group_count >= 0),
    appeal_count                    INTEGER NOT NULL DEFAULT 0 CHECK (appeal_count >= 0),
    flag_count                      INTEGER NOT NULL DEFAULT 0 CHECK (flag_count >= 0),
    positive_feedback_count         INTEGER NOT NULL DEFAULT 0 CHECK (positive_feedback_count >= 0),
    neutral_feedback_count          INTEGER NOT NULL DEFAULT 0 CHECK (neutral_feedback_count >= 0),
    negative_feedback_count         INTEGER NOT NULL DEFAULT 0 CHECK (negative_feedback_count >= 0),
    feedback_score                  INTEGER GENERATED ALWAYS AS (positive_feedback_count - negative_feedback_count) STORED,
    blip_count                      INTEGER NOT NULL DEFAULT 0 CHECK (blip_count >= 0),
    set_count                       INTEGER NOT NULL DEFAULT 0 CHECK (set_count >= 0),
    unread_dmail_count              INTEGER NOT NULL DEFAULT 0 CHECK (unread_dmail_count >= 0),
    upload_karma                    INTEGER NOT NULL DEFAULT 0,

    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    last_login_at      INTEGER,
    last_ip            BLOB CHECK (length(last_ip) = 16),
    last_forum_read_at INTEGER,
    last_sid_reroll_at INTEGER NOT NULL,

    password_hash TEXT CHECK (length(password_hash) <= 512)
);

CREATE UNIQUE INDEX ux_users_xid ON users (xid);
CREATE UNIQUE INDEX ux_users_sid ON users (sid);
CREATE UNIQUE INDEX ux_users_name_key ON users (name_key);
CREATE INDEX ix_users_name ON users (name);
CREATE UNIQUE INDEX ux_users_email_key ON users (email_key) WHERE email_key IS NOT NULL;
CREATE INDEX ix_users_first_name_key ON users (first_name_key, id);
CREATE INDEX ix_users_last_name_key ON users (last_name_key, id);
CREATE INDEX ix_users_level ON users (level, id);
CREATE INDEX ix_users_created_at ON users (created_at, id);
CREATE INDEX ix_users_updated_at ON users (updated_at, id);
CREATE INDEX ix_users_last_login_at ON users (last_login_at, id);
CREATE INDEX ix_users_inviter_id ON users (inviter_id) WHERE inviter_id IS NOT NULL;
CREATE INDEX ix_users_active ON users (active, id);
CREATE INDEX ix_users_banned ON users (banned, id);
CREATE INDEX ix_users_deleted ON users (deleted, id);
CREATE INDEX ix_users_anonymized ON users (anonymized, id);
CREATE INDEX ix_users_can_approve_posts ON users (can_approve_posts, id);
CREATE INDEX ix_users_can_upload_free ON users (can_upload_free, id);
CREATE INDEX ix_users_email_allowed ON users (email_allowed, id);
CREATE INDEX ix_users_sms_allowed ON users (sms_allowed, id);
CREATE INDEX ix_users_call_allowed ON users (call_allowed, id);
CREATE INDEX ix_users_user_type ON users (user_type, id);
CREATE INDEX ix_users_gender ON users (gender, id);
CREATE INDEX ix_users_language ON users (language, id);
CREATE INDEX ix_users_date_of_birth ON users (date_of_birth, id);
CREATE INDEX ix_users_phone ON users (phone, id);
CREATE INDEX ix_users_post_upload_count ON users (post_upload_count, id);
CREATE INDEX ix_users_post_update_count ON users (post_update_count, id);
CREATE INDEX ix_users_note_update_count ON users (note_update_count, id);
CREATE INDEX ix_users_favorite_count ON users (favorite_count, id);
CREATE INDEX ix_users_post_active_count ON users (post_active_count, id);
CREATE INDEX ix_users_post_deleted_count ON users (post_deleted_count, id);
CREATE INDEX ix_users_feedback_score ON users (feedback_score, id);
CREATE INDEX ix_users_upload_karma ON users (upload_karma, id);
CREATE INDEX ix_users_comment_count ON users (comment_count, id);
CREATE INDEX ix_users_forum_post_count ON users (forum_post_count, id);
CREATE INDEX ix_users_appeal_count ON users (appeal_count, id);
CREATE INDEX ix_users_artist_version_count ON users (artist_version_count, id);
CREATE INDEX ix_users_artist_commentary_version_count ON users (artist_commentary_version_count, id);
CREATE INDEX ix_users_wiki_page_version_count ON users (wiki_page_version_count, id);
CREATE INDEX ix_users_avatar_post_id ON users (avatar_post_id) WHERE avatar_post_id IS NOT NULL;
CREATE INDEX ix_users_last_ip ON users (last_ip) WHERE last_ip IS NOT NULL;

-- Substring and wildcard name search: an FTS5 trigram index over name_key,
-- kept in step by triggers (external content, so names are stored once).
-- case_sensitive 1 because name_key is folded already, and because FTS5
-- answers GLOB from the index only when the tokenizer is case-sensitive.
CREATE VIRTUAL TABLE users_name_fts USING fts5 (name_key, content = 'users', content_rowid = 'id', tokenize = 'trigram case_sensitive 1');
CREATE TRIGGER users_name_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_name_fts (rowid, name_key) VALUES (new.id, new.name_key);
END;
CREATE TRIGGER users_name_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_name_fts (users_name_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
END;
CREATE TRIGGER users_name_fts_update AFTER UPDATE OF name_key ON users BEGIN
    INSERT INTO users_name_fts (users_name_fts, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    INSERT INTO users_name_fts (rowid, name_key) VALUES (new.id, new.name_key);
END;

-- ix_users_about: trigram index over the about texts (e621 about_me).
CREATE VIRTUAL TABLE users_about_fts USING fts5 (bio, artist_info, content = 'users', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER users_about_fts_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_about_fts (rowid, bio, artist_info) VALUES (new.id, new.bio, new.artist_info);
END;
CREATE TRIGGER users_about_fts_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_about_fts (users_about_fts, rowid, bio, artist_info) VALUES ('delete', old.id, old.bio, old.artist_info);
END;
CREATE TRIGGER users_about_fts_update AFTER UPDATE OF bio, artist_info ON users BEGIN
    INSERT INTO users_about_fts (users_about_fts, rowid, bio, artist_info) VALUES ('delete', old.id, old.bio, old.artist_info);
    INSERT INTO users_about_fts (rowid, bio, artist_info) VALUES (new.id, new.bio, new.artist_info);
END;

CREATE TABLE user_name_changes (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    old_name      TEXT NOT NULL CHECK (length(old_name) BETWEEN 1 AND 150),
    old_name_key  TEXT NOT NULL,
    new_name      TEXT NOT NULL CHECK (length(new_name) BETWEEN 1 AND 150),
    changed_at    INTEGER NOT NULL,
    changed_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    is_deletion   INTEGER NOT NULL DEFAULT 0 CHECK (is_deletion IN (0, 1))
) STRICT;
CREATE INDEX ix_user_name_changes_old_name_key ON user_name_changes (old_name_key, user_id);
CREATE INDEX ix_user_name_changes_user_id ON user_name_changes (user_id, changed_at);
CREATE INDEX ix_user_name_changes_changed_by_id ON user_name_changes (changed_by_id) WHERE changed_by_id IS NOT NULL;

CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label           TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 100),
    secret_hash     BLOB NOT NULL CHECK (length(secret_hash) = 32),
    kind            TEXT NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'login')),
    scope           TEXT NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write')),
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    last_used_ip    BLOB CHECK (length(last_used_ip) = 16),
    uses            INTEGER NOT NULL DEFAULT 0,
    expires_at      INTEGER,
    revoked_at      INTEGER,
    revoke_reason   TEXT CHECK (length(revoke_reason) <= 255),
    allowed_ips     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_ips)),
    allowed_actions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_actions))
) STRICT;
CREATE UNIQUE INDEX ux_api_tokens_secret_hash ON api_tokens (secret_hash);
CREATE INDEX ix_api_tokens_user_id ON api_tokens (user_id, id);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('console', 'reviewboard')),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           BLOB CHECK (length(ip) = 16),
    user_agent   TEXT CHECK (length(user_agent) <= 512)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_sessions_user_id ON sessions (user_id);
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);

CREATE TABLE linked_accounts (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider        TEXT NOT NULL CHECK (provider IN ('discord', 'tumblr', 'google', 'fediverse')),
    remote_id       TEXT NOT NULL CHECK (length(remote_id) <= 255),
    remote_username TEXT CHECK (length(remote_username) <= 255),
    instance        TEXT CHECK (length(instance) <= 255),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, provider)
) STRICT, WITHOUT ROWID;
-- NULL instances are equal here (coalesce), as one provider-wide namespace.
CREATE UNIQUE INDEX ux_linked_accounts_remote ON linked_accounts (provider, coalesce(instance, ''), remote_id);

CREATE TABLE groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 150)
) STRICT;

CREATE TABLE permissions (
    id        INTEGER PRIMARY KEY,
    app_label TEXT NOT NULL CHECK (length(app_label) <= 100),
    codename  TEXT NOT NULL CHECK (length(codename) <= 100),
    name      TEXT NOT NULL CHECK (length(name) <= 255),
    UNIQUE (app_label, codename)
) STRICT;
INSERT INTO permissions (app_label, codename, name) VALUES
    ('auth', 'add_user', 'Can add user'),
    ('auth', 'change_user', 'Can change user'),
    ('auth', 'delete_user', 'Can delete user'),
    ('auth', 'view_user', 'Can view user');

CREATE TABLE user_groups (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_user_groups_group_id ON user_groups (group_id, user_id);

CREATE TABLE user_permissions (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission_id INTEGER NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, permission_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_user_permissions_permission_id ON user_permissions (permission_id, user_id);

CREATE TABLE group_permissions (
    group_id      INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    permission_id INTEGER NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, permission_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_group_permissions_permission_id ON group_permissions (permission_id);

CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    xid             TEXT NOT NULL UNIQUE CHECK (length(xid) = 20),
    sid             TEXT NOT NULL UNIQUE CHECK (length(sid) = 6),
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_key        TEXT NOT NULL,
    display_name    TEXT CHECK (length(display_name) BETWEEN 1 AND 100),
    bio             TEXT CHECK (length(bio) BETWEEN 1 AND 1000),
    avatar          TEXT REFERENCES images (hash),
    links           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(links)),
    preferred_names TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(preferred_names)),
    pronouns        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pronouns)),
    profile_fields  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(profile_fields)),
    unlisted        INTEGER NOT NULL DEFAULT 0 CHECK (unlisted IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
) STRICT;
CREATE INDEX ix_members_user_id ON members (user_id, id);

CREATE TABLE pride_flags (
    id          INTEGER PRIMARY KEY,
    xid         TEXT NOT NULL UNIQUE CHECK (length(xid) = 20),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL REFERENCES images (hash),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description TEXT CHECK (length(description) <= 500),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX ix_pride_flags_user_id ON pride_flags (user_id, id);

CREATE TABLE user_pride_flags (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    flag_id  INTEGER NOT NULL REFERENCES pride_flags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (user_id, flag_id),
    UNIQUE (user_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_user_pride_flags_flag_id ON user_pride_flags (flag_id);

CREATE TABLE member_pride_flags (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    flag_id   INTEGER NOT NULL REFERENCES pride_flags (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (member_id, flag_id),
    UNIQUE (member_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_member_pride_flags_flag_id ON member_pride_flags (flag_id);
