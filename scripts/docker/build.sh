#!/usr/bin/env bash
# The Docker image's build stage, runnable outside Docker: install, compile, assemble the production tree.
set -euo pipefail
out="${1:?usage: build.sh OUT}"
cd "$(dirname "$0")/../.."
npm ci --no-audit --no-fund
npm run build
bash scripts/docker/assemble.sh "$out"
