#!/usr/bin/env bash
# The browser tests (test/console-browser.test.ts) drive Debian's chromium through
# playwright-core: nothing is downloaded by Playwright itself. Runs before `npm test`
# (npm's pretest) and in .ci/run: installs chromium when it is missing and we are
# root on Debian/Ubuntu, otherwise says what to do and fails — the browser tests
# are never skipped.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests (once)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "ensure-chromium: the browser tests need Chromium at $CHROMIUM." >&2
echo "  Debian/Ubuntu: sudo apt-get install chromium   (or run npm test as root: it installs it)" >&2
echo "  Elsewhere: set CHROMIUM_PATH to a Chromium or Chrome binary." >&2
exit 1
