-- user_tallies is a few dozen rows that every user insert, delete and
-- change of level or flags updates: each update leaves a dead row
-- version. Free room in every page lets them be HOT updates, pruned in
-- the page as it is read; and autovacuum comes after 1,000 dead versions
-- however few rows are live. A million-row import left it a 70 ms scan.
ALTER TABLE user_tallies SET (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
