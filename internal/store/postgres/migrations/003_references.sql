-- Indexes on the columns that refer to images, pride flags' owners aside
-- (001 has those): the image sweep probes each for every candidate, and
-- deleting an image checks its foreign keys through them.
CREATE INDEX ix_users_avatar ON users (avatar) WHERE avatar IS NOT NULL;
CREATE INDEX ix_members_avatar ON members (avatar) WHERE avatar IS NOT NULL;
CREATE INDEX ix_pride_flags_hash ON pride_flags (hash);
