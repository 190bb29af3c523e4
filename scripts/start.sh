#!/usr/bin/env bash
# Quick start, command 1: install everything, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-pnpm.sh
pnpm install --frozen-lockfile
pnpm build
pnpm self-check
