#!/usr/bin/env bash
# Installs and starts what the test suite needs on a fresh Debian machine, and
# does nothing where it is there already: `make test` and .ci/run call it.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"

apt_updated=""
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: $* is missing; install it (as root: apt-get install -y $*)" >&2
    exit 1
  fi
  [ -n "$apt_updated" ] || { apt-get -o DPkg::Lock::Timeout=900 update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq "$@" >/dev/null
}

# A real S3 server for the blob store's S3 half.
if ! command -v versitygw >/dev/null 2>&1; then
  echo "test-deps: installing versitygw"
  go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi

# Dovecot for the IMAP integration test (the test starts its own instance).
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  echo "test-deps: installing dovecot-imapd"
  apt_install dovecot-imapd
fi

# Postfix for the SMTP relay integration tests (each test starts its own
# instance on loopback ports; the system's is left alone). Preseeded so the
# install asks nothing: a local-only MTA.
if ! command -v postfix >/dev/null 2>&1 && [ ! -x /usr/sbin/postfix ]; then
  echo "test-deps: installing postfix"
  if [ "$(id -u)" = 0 ]; then
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string localhost" | debconf-set-selections
  fi
  apt_install postfix
fi

# podman (with runc) builds and runs the container image in its test;
# docker-compose validates the compose files.
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1; then
  echo "test-deps: installing podman runc docker-compose"
  apt_install podman runc docker-compose
fi

# Debian's Chromium for the UI's browser tests (playwright-core drives it).
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "test-deps: installing chromium"
  apt_install chromium
fi

# PostgreSQL at 127.0.0.1:5432 for the PostgreSQL half of the store tests.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi
