#!/usr/bin/env bash
# The Docker image's build and run, checked without a Docker engine (issue 17, item 6), so a broken image cannot
# land unnoticed:
#  1. a clean clone of the committed tree (nothing untracked, no dist/ or web/dist left over) runs `npm run build`,
#     the same script the Dockerfile's build stage runs;
#  2. the runtime stage is laid out as the Dockerfile lays it — package.json, dist/, web/dist and only the
#     production dependencies (`npm ls --omit=dev`) — and started as the image starts it: `node dist/infra/cli/run.js`,
#     compiled JavaScript, no TypeScript loader;
#  3. it must answer /healthz, GraphQL with the built-in demo config's token, the console at /, and auditVerify (a
#     worker thread, its own compiled entry), then stop cleanly on SIGTERM.
# Usage: bash scripts/image-check.sh  (from a checkout whose node_modules is installed: `npm ci`)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/liandong-image-check.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

grep -q '^RUN npm run build' Dockerfile || { echo "Dockerfile: the build stage must run 'npm run build'" >&2; exit 1; }
grep -q '"node", "dist/infra/cli/run.js"' Dockerfile || { echo 'Dockerfile: the image must start node dist/infra/cli/run.js' >&2; exit 1; }

echo "-- clean clone of HEAD, npm run build"
git clone --quiet --no-hardlinks "$repo" "$work/src"
git -C "$work/src" checkout --quiet "$(git rev-parse HEAD)"
# the dependencies as installed here (npm ci, the image's build stage installs the same lockfile)
ln -s "$repo/node_modules" "$work/src/node_modules"
(cd "$work/src" && npm run build --silent)

echo "-- the runtime stage: package.json, dist/, web/dist, production dependencies only"
run="$work/image"
mkdir -p "$run/node_modules" "$run/web"
cp "$work/src/package.json" "$work/src/package-lock.json" "$run/"
cp -R "$work/src/dist" "$run/dist"
cp -R "$work/src/web/dist" "$run/web/dist"
# the production packages as package-lock.json marks them (not `dev`), each linked from the installed tree;
# nested ones come with their parent
node -e '
  const lock = require(process.argv[1]);
  for (const [path, entry] of Object.entries(lock.packages))
    if (/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev) console.log(path.slice("node_modules/".length), entry.optional ? "optional" : "");
' "$work/src/package-lock.json" | while read -r name optional; do
  if [ ! -e "$repo/node_modules/$name" ]; then
    [ -n "$optional" ] && continue          # another platform's optional binary
    echo "production dependency $name is not installed (npm ci?)" >&2; exit 1
  fi
  mkdir -p "$(dirname "$run/node_modules/$name")"
  ln -s "$(cd "$repo/node_modules/$name" && pwd -P)" "$run/node_modules/$name"
done
for dev in typescript vite mocha; do [ ! -e "$run/node_modules/$dev" ] || { echo "$dev among the production dependencies?" >&2; exit 1; }; done

echo "-- node dist/infra/cli/run.js start (built-in demo config)"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
(cd "$run" && NODE_ENV=production node dist/infra/cli/run.js --version)
(cd "$run" && NODE_ENV=production LIANDONG_LOG_FORMAT=json exec node dist/infra/cli/run.js start --no-demo --data-dir "$work/data" --port "$port" >"$work/out.log" 2>&1) &
pid=$!
base="http://127.0.0.1:$port"
# http PATH [TOKEN QUERY]: the body of a 2xx answer on stdout (a GraphQL POST when a query is given), else fail
http() {
  node -e '
    const [url, token, query] = process.argv.slice(1);
    const init = query ? { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) } : {};
    fetch(url, init).then(async (r) => { const text = await r.text(); if (!r.ok) process.exit(1); process.stdout.write(text); }, () => process.exit(1));
  ' "$base$1" "${2:-}" "${3:-}"
}
for _ in $(seq 1 300); do
  if http /healthz >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/out.log" >&2; echo "the compiled program exited before it served" >&2; exit 1; fi
  sleep 0.2
done
fail() { cat "$work/out.log" >&2; echo "$1" >&2; exit 1; }
http /healthz | grep -q '"ok"' || fail "/healthz did not answer"
http /graphql demo-court '{ agencies { id } }' | grep -q '"yl-court"' || fail "GraphQL did not answer"
http / | grep -qi '<!doctype html>' || fail "the console (web/dist) is not served at /"
http /graphql demo-auditor '{ auditVerify { ok } }' | grep -q '"ok":true' || fail "auditVerify (worker thread) did not answer"
head -1 "$work/out.log" | node -e 'const l=JSON.parse(require("fs").readFileSync(0,"utf8")); if(!l.time||!l.level||!l.msg) process.exit(1)' || fail "the log is not JSON lines"
kill -TERM "$pid"
code=0; wait "$pid" || code=$?
pid=
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
grep -q '已停止' "$work/out.log" || fail "no clean stop in the log"
echo "image check: ok (clean clone built with npm run build; compiled program served and stopped)"
