#!/usr/bin/env bash
# Newcomer's first command: install mailbot into .venv and run `mailbot demo` (no servers needed).
# Extra arguments go to `mailbot demo` (e.g. --dir /tmp/somewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . >/dev/null
exec .venv/bin/mailbot demo "$@"
