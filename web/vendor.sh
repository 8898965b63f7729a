#!/usr/bin/env bash
# Refresh the vendored browser assets in src/sahelkg/static/vendor/ from npm (versions pinned in
# package-lock.json). Only needed to upgrade them: the output is committed, so the server needs no npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node vendor.mjs
