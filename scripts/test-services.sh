#!/usr/bin/env bash
# Start what the test suite talks to, when this machine has it: PostgreSQL, MariaDB,
# and Debian's Chromium for the browser test. On CI (CI=true) a missing piece is an
# error here already; on a laptop the suite skips what is missing and says so.
set -u
ci=${CI:-}
fail() { if [ "$ci" = "true" ]; then echo "test-services: $1" >&2; exit 1; else echo "test-services: $1 (tests needing it will be skipped)"; fi; }

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || fail "PostgreSQL did not start"
else
  fail "PostgreSQL is not installed"
fi

if [ -x /usr/sbin/mariadbd ]; then
  if ! mariadb-admin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  fi
  for _ in $(seq 1 30); do mariadb-admin -h127.0.0.1 -uroot ping >/dev/null 2>&1 && break; sleep 1; done
  mariadb-admin -h127.0.0.1 -uroot ping >/dev/null 2>&1 || fail "MariaDB did not start"
else
  fail "MariaDB is not installed"
fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-services: installing Debian's chromium for the browser test…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || fail "could not install chromium"
  else
    fail "chromium is missing (apt-get install chromium)"
  fi
fi
exit 0
