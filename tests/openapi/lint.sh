#!/bin/sh
# Lint docs/openapi.yaml with the pinned Redocly CLI (see package.json).
# Runs from any directory; installs node_modules from package-lock.json on first
# use. Exits non-zero when the linter reports an error.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund
fi
exec npx --no-install redocly lint ../../docs/openapi.yaml --config redocly.yaml
