-- The rows still without a skeleton, by id: what the backfill that runs at
-- every start looks for. Without it that look-up reads every user at each
-- start; with it, a table whose rows all have skeletons answers at once.
CREATE INDEX ix_users_name_skeleton_pending ON users (id) WHERE name_skeleton IS NULL;
