#!/usr/bin/env bash
# vault-dev.sh: runs a Vault dev server in the foreground, to try
# Switchboard's Vault support by hand (see docs/secrets.md). In-memory: its
# secrets are gone when it stops. KV version 2 is mounted at secret/.
#
# Environment: VAULT_DEV_PORT (default: a free port), VAULT_DEV_TOKEN
# (default: random). Prints the VAULT_ADDR and VAULT_TOKEN to export.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vault=$("$root/scripts/vault-build.sh")
port=${VAULT_DEV_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
token=${VAULT_DEV_TOKEN:-dev-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
cat <<MSG
Vault dev server on http://127.0.0.1:$port (Ctrl-C stops it). In another shell:

  export VAULT_ADDR=http://127.0.0.1:$port VAULT_TOKEN=$token
  $vault kv put secret/switchboard/openai api_key=sk-...

MSG
exec "$vault" server -dev -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" -dev-no-store-token
