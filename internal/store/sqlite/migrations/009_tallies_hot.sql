-- PostgreSQL's 009 lets user_tallies' updates happen in place (each
-- leaves a dead row version there). SQLite updates a row where it is,
-- so there is nothing to change; the file keeps both stores' schema
-- versions the same.
SELECT 1;
