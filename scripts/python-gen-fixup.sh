#!/usr/bin/env bash
# python-gen-fixup.sh SRC
# protoc writes modules without package markers; add an empty __init__.py to
# each generated package directory so that `import switchboard.v1` works.
set -euo pipefail
src=$1
[ -d "$src/switchboard/v1" ] || exit 0
find "$src/switchboard/v1" -type d -print0 | while IFS= read -r -d '' d; do
  [ -e "$d/__init__.py" ] || : > "$d/__init__.py"
done
