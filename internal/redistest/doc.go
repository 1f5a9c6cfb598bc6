// Package redistest gives tests a real Redis: the shared server that `make
// test` starts (scripts/redis-test.sh run, which sets
// SWITCHBOARD_TEST_REDIS_URL), with a key prefix of their own so that test
// packages running in parallel on the same server never see each other's
// keys, or a private server they can stop and start again to test outages.
// Without the variable the tests skip with a message saying how to run them.
//
// Isolation is by key prefix rather than by database number or FLUSHDB:
// Redis has few databases (16 by default) and FLUSHDB would wipe the keys of
// every other package using the same server at that moment.
package redistest
