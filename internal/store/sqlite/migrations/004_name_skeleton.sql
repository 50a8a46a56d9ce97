-- The confusable skeleton of each name (core.NameSkeleton), kept unique so
-- that look-alike names cannot both exist. The core writes it with every
-- name; rows older than this column get it from a Go step after the
-- migrations (sqlstore.BackfillNameSkeletons), which leaves it NULL, and
-- reports the row, where an earlier row holds the same skeleton.
ALTER TABLE users ADD COLUMN name_skeleton TEXT CHECK (length(name_skeleton) BETWEEN 1 AND 512);
CREATE UNIQUE INDEX ux_users_name_skeleton ON users (name_skeleton) WHERE name_skeleton IS NOT NULL;
