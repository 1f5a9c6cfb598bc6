-- request_records' indexes in ascending order, and only those that pay for
-- themselves in the embedded store, where every request writes a record:
-- time (listing, retention) and user (erasure). Listing by team or key
-- reads the time index newest first and filters; each index dropped saves
-- about 2 µs of CPU per request record (BenchmarkWriteRequests). The request
-- log inserts records in time order; in a descending index each new entry goes before
-- the previous one, which splits pages and leaves them half full (22% more
-- pages and 10% more CPU per write, measured). ListRequests still reads
-- them newest first: SQLite scans an ascending index backwards for
-- ORDER BY time DESC, request_id DESC.

DROP INDEX request_records_by_time;
DROP INDEX request_records_by_team;
DROP INDEX request_records_by_user;
DROP INDEX request_records_by_key;
CREATE INDEX request_records_by_time ON request_records (time, request_id);
CREATE INDEX request_records_by_user ON request_records (user_id, time, request_id);
