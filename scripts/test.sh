#!/usr/bin/env bash
# Quick start, command 2: run every test. Installs what it needs first, so it also works
# as the first command on a fresh clone. Its last line is "vitest: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
source scripts/ensure-redis.sh
export NO_COLOR=1
pnpm install --frozen-lockfile >&2
pnpm test
