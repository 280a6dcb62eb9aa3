#!/usr/bin/env bash
# Makes sure the servers the tests use are running on loopback: PostgreSQL (trust auth for local
# connections) and NATS with JetStream. Installs them from Debian's packages when missing.
set -euo pipefail

wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then echo "   $1 is up"; return 0; fi
    sleep 1
  done
  echo "   $1 did not come up" >&2
  return 1
}

apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

echo "== PostgreSQL"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "   installing postgresql"
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    # tests connect as postgres over loopback without a password
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n%s\n' "$(cat "$hba")" > "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432 -q"
else
  echo "   PostgreSQL is up"
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'

echo "== NATS"
nats_up() { (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; }
if ! nats_up; then
  command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || { echo "   installing nats-server"; apt_install nats-server; }
  mkdir -p /var/lib/nats-server /var/log
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_for NATS nats_up
else
  echo "   NATS is up"
fi
