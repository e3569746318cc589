#!/usr/bin/env bash
# The production tree, from a built checkout (npm ci && npm run build done) into OUT: the compiled server,
# workers and admin UI, the admin UI's static files, package files and node_modules without devDependencies.
# No test, bench, emulator or script code: dist/test, dist/bench and dist/scripts (the demo runs the
# emulator) stay behind. The Dockerfile's build stage runs this; a test runs it outside Docker.
set -euo pipefail
out="${1:?usage: assemble.sh OUT}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
[ -f "$src/dist/src/main.js" ] || { echo "assemble.sh: $src/dist is not built (npm run build)" >&2; exit 1; }
mkdir -p "$out/dist" "$out/admin"
cp -a "$src/dist/src" "$src/dist/workers" "$src/dist/admin" "$out/dist/"
cp -a "$src/admin/static" "$out/admin/"
cp "$src/package.json" "$src/package-lock.json" "$out/"
# a copy of the contents (node_modules may itself be a link), never hard links: prune rewrites files in it
mkdir -p "$out/node_modules"
cp -a "$src/node_modules/." "$out/node_modules/"
(cd "$out" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
find "$out/node_modules" -mindepth 1 -type d -empty -delete
# source maps of the compiled code are kept (stack traces); their sources are not in the image
find "$out/dist" -name '*.test.js' -delete
# the MCP conformance suite's fixtures are test code inside src/ (loaded only with MCP_CONFORMANCE_FIXTURES)
rm -f "$out"/dist/src/mcp/conformance-fixtures*.js "$out"/dist/src/mcp/conformance-fixtures*.js.map
