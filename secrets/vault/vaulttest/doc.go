// Package vaulttest runs real Vault servers for tests: a dev server (in
// memory, KV version 2 at secret/) for most tests, and a server with file
// storage, initialized and unsealed through the API, for tests that stop
// and restart Vault without losing its secrets.
//
// The vault binary is built from source by scripts/vault-build.sh (make
// vault) and found through the environment variable SWITCHBOARD_TEST_VAULT_BIN,
// which make test sets. Without it, tests that need Vault skip with a message
// saying how to run them. Each server listens on a free loopback port chosen
// at run time and has a random root token.
package vaulttest
