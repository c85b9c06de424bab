#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright. Install it when missing and we may.
set -u
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium: the browser tests will be skipped." >&2
else
  echo "chromium is not installed: the browser tests will be skipped (apt-get install chromium)." >&2
fi
exit 0
