-- The API token whose login opened a session (Review Board's rbsessionid
-- after a token login): the session ends with the token, and deleting the
-- token deletes it.
ALTER TABLE sessions ADD COLUMN token_id bigint REFERENCES api_tokens (id) ON DELETE CASCADE;
CREATE INDEX ix_sessions_token_id ON sessions (token_id) WHERE token_id IS NOT NULL;
