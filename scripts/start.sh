#!/usr/bin/env bash
# Quick start, command 1: install everything, build, and run the main job: the Relay artist
# portal next to a local ATProto network (the reference PDS if tooling/refpds is installed,
# otherwise the mock testnet). Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
pnpm build
exec pnpm --filter @relay/demo start
