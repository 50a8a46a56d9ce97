-- What a bulk load into an empty users table dropped and builds once at
-- its end (sqlstore/bulkindex.go): secondary indexes, the triggers that
-- feed the search tables, and those tables' rebuilds. Rows left here by
-- an interrupted load are built by the next start.
CREATE TABLE deferred_ddl (
    seq        INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    create_sql TEXT NOT NULL
) STRICT;
