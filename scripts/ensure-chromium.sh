#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser
# download is not available everywhere). Installs it when missing and we may.
set -u
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "ensure-chromium: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null && [ -x "$CHROMIUM" ] && exit 0
fi
cat >&2 <<MSG
ensure-chromium: the browser tests need Chromium at $CHROMIUM and it could not be installed.
  Install it (Debian: sudo apt-get install chromium) or set CHROMIUM to its path.
MSG
exit 1
