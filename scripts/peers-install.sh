#!/usr/bin/env bash
# peers-install.sh CACHE NAME@VERSION...
#
# Installs the peer gateways `make bench-peers` measures beside Switchboard,
# each pinned to VERSION, from its package registry, into CACHE (never into
# the repository):
#
#   portkey@V  the Portkey AI Gateway, npm package @portkey-ai/gateway@V,
#              into CACHE/portkey-V (its server: node_modules/.bin/gateway),
#              with its dependency @hono/node-server held at
#              $PORTKEY_HONO_NODE_SERVER (below: why)
#   litellm@V  the LiteLLM proxy, PyPI package litellm[proxy]==V, into a
#              virtualenv CACHE/litellm-V (its server: bin/litellm)
#
# Idempotent: an install that completed before with the same recipe (its
# .installed stamp says which) is kept. An install is made in a temporary folder and renamed into
# place only once it has completed, so a failed one leaves nothing behind.
# A peer that cannot be installed (no registry, no node or python3) is
# reported on stderr and skipped: the script still exits 0, and the
# benchmark then runs without that peer and says so.
set -uo pipefail

# The npm package ships no lock file, so npm resolves Portkey's
# "@hono/node-server": "^1.3.3" to the newest 1.x, and from 1.14.3 on its
# lightweight Response hands back the upstream fetch's immutable headers:
# every streamed chat completion then fails with "TypeError: immutable"
# (Portkey-AI/gateway issue 1389, open). 1.13.5 is the version Portkey's own
# repository locks (and patches), so this is the Portkey its maintainers run.
PORTKEY_HONO_NODE_SERVER=${PORTKEY_HONO_NODE_SERVER:-1.13.5}

if [ $# -lt 2 ]; then
  echo "usage: $0 CACHE NAME@VERSION... (NAME: portkey, litellm)" >&2
  exit 2
fi
cache=$1
shift
mkdir -p "$cache"

install_portkey() { # DIR VERSION LOG
  local dir=$1 version=$2 log=$3
  command -v npm >/dev/null || { echo "npm is not installed" >>"$log"; return 1; }
  printf '{"name":"switchboard-peer-portkey","private":true,"overrides":{"@hono/node-server":"%s"}}\n' \
    "$PORTKEY_HONO_NODE_SERVER" >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --omit=dev --save-exact \
    "@portkey-ai/gateway@$version" >>"$log" 2>&1 &&
    test -e "$dir/node_modules/.bin/gateway"
}

install_litellm() { # DIR VERSION LOG
  local dir=$1 version=$2 log=$3
  command -v python3 >/dev/null || { echo "python3 is not installed" >>"$log"; return 1; }
  python3 -m venv "$dir" >>"$log" 2>&1 &&
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
      "litellm[proxy]==$version" >>"$log" 2>&1 &&
    test -x "$dir/bin/litellm"
}

for spec in "$@"; do
  name=${spec%@*} version=${spec#*@}
  if [ "$name" = "$spec" ] || [ -z "$version" ]; then
    echo "peers-install: $spec: want NAME@VERSION" >&2
    continue
  fi
  dir="$cache/$name-$version"
  recipe="$name $version"
  [ "$name" = portkey ] && recipe="$recipe @hono/node-server@$PORTKEY_HONO_NODE_SERVER"
  if [ "$(head -n 1 "$dir/.installed" 2>/dev/null)" = "$recipe" ]; then
    continue
  fi
  case $name in
  portkey | litellm) ;;
  *)
    echo "peers-install: unknown peer $name (want portkey or litellm)" >&2
    continue
    ;;
  esac
  echo "peers-install: installing $name $version into $dir (once)" >&2
  tmp="$dir.partial.$$"
  log="$cache/$name-$version.install.log"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  : >"$log"
  # A virtualenv's scripts name their interpreter by its absolute path, so
  # litellm is installed where it will stay; portkey's links are relative.
  target=$tmp
  if [ "$name" = litellm ]; then
    rm -rf "$dir"
    target=$dir
  fi
  if "install_$name" "$target" "$version" "$log"; then
    if [ "$target" = "$tmp" ]; then
      rm -rf "$dir"
      mv "$tmp" "$dir"
    fi
    rm -rf "$tmp"
    printf '%s\n%s\n' "$recipe" "$(date -u +%FT%TZ)" >"$dir/.installed"
    echo "peers-install: $name $version installed" >&2
  else
    rm -rf "$tmp"
    [ "$target" = "$dir" ] && rm -rf "$dir"
    echo "peers-install: $name $version could not be installed; the benchmark runs without it. The end of $log:" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
  fi
done
exit 0
