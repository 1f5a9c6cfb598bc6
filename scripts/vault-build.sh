#!/usr/bin/env bash
# vault-build.sh [CACHE [BIN]]
# Builds the Vault server that the tests run, from source, once per Vault
# version, into CACHE/vault-VERSION/vault, and links it as BIN/vault.
# Prints the binary's path on stdout; progress goes to stderr.
#
# Why from source: no Debian package ships Vault, and `go install` refuses
# it (its go.mod has replace directives). tools/vaultdev is a small module
# of its own whose main is Vault's CLI; its go.mod/go.sum pin the version
# and keep Vault's dependencies out of Switchboard's go.mod. The first build
# takes several minutes; every later clone on the machine reuses the cache.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/tools}
bin=${2:-$root/.bin}
module=$root/tools/vaultdev
version=$(awk '$1 == "github.com/hashicorp/vault" { print $2 } $1 == "require" && $2 == "github.com/hashicorp/vault" { print $3 }' "$module/go.mod")
if [ -z "$version" ]; then
  echo "vault-build.sh: no github.com/hashicorp/vault requirement in $module/go.mod" >&2
  exit 1
fi
dir=$cache/vault-$version
mkdir -p "$cache"

if [ ! -x "$dir/vault" ]; then
  # Two builds at once (two clones, two make runs) would each take minutes.
  exec 9>"$cache/vault-$version.lock"
  flock 9
  if [ ! -x "$dir/vault" ]; then
    echo "building vault $version from source (once per machine, several minutes; cached in $dir)" >&2
    start=$(date +%s)
    tmp=$(mktemp -d "$cache/vault-build.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$module" && GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags "-s -w" -o "$tmp/vault" .)
    mkdir -p "$dir"
    mv "$tmp/vault" "$dir/vault"
    echo "built vault $version in $(( $(date +%s) - start ))s" >&2
  fi
fi
mkdir -p "$bin"
ln -sf "$dir/vault" "$bin/vault"
echo "$dir/vault"
