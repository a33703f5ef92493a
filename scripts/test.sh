#!/usr/bin/env bash
# Run the whole test suite: `bash scripts/test.sh [pytest args]`.
#
# On a fresh Debian 12 machine, as root, it first installs what the tests need when it is missing
# (dovecot-imapd, postgresql, tesseract-ocr + French, openssl, python3-venv) and creates .venv with
# `pip install -e ".[test]"`. The tests start their own private Dovecot, PostgreSQL and SMTP
# servers on 127.0.0.1: the machine's own services are neither used nor started. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'test.sh: %s\n' "$*" >&2; }

have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

missing=()
have_cmd dovecot || missing+=(dovecot-imapd)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
have_cmd tesseract || missing+=(tesseract-ocr)
if ! { have_cmd tesseract && tesseract --list-langs 2>/dev/null | grep -qx fra; }; then
  missing+=(tesseract-ocr-fra)
fi
have_cmd openssl || missing+=(openssl)
if [ ! -x .venv/bin/python ]; then
  have_cmd python3 || missing+=(python3)
  if have_cmd python3 && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing system packages: ${missing[*]}"
    say "install them as root:  apt-get install -y ${missing[*]}"
    say "(or run this script as root on Debian/Ubuntu: it installs them itself)"
    exit 1
  fi
  if ! have_cmd apt-get; then
    say "missing system packages (${missing[*]}) and no apt-get to install them"
    exit 1
  fi
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packages' own services from starting (as in containers); the tests run their own.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
  if [ "$made_policy" = 1 ]; then rm -f "$policy"; made_policy=0; fi
  trap - EXIT
fi

if [ ! -x .venv/bin/python ]; then
  python3 - <<'PY' || { say "Python 3.11 or newer is needed (python3 is older)"; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
  say "creating .venv"
  python3 -m venv .venv
fi

# Reinstall only when the dependencies changed.
stamp=.venv/.mailbot-test-deps
want="$(sha256sum <pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] \
   || ! .venv/bin/python -c 'import mailbot, pytest, aiosmtpd' >/dev/null 2>&1; then
  say "installing Python dependencies into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
  printf '%s\n' "$want" >"$stamp"
fi

exec .venv/bin/pytest -q "$@"
