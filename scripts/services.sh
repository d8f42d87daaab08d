#!/usr/bin/env bash
# Start every backing service the tests use when it is down; fail loudly when one cannot start.
# PostgreSQL 127.0.0.1:5432, Redis 6379, NATS JetStream 4222, Mosquitto MQTT 1883.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 0.5; done
  echo "FATAL: $name did not come up on 127.0.0.1:$port" >&2
  return 1
}

start_postgres() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || { echo "FATAL: PostgreSQL is not installed" >&2; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}
start_redis() {
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}
start_nats() {
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
}
start_mosquitto() { mosquitto -d -c /etc/mosquitto/mosquitto.conf; }

status=0
for entry in "5432 PostgreSQL start_postgres" "6379 Redis start_redis" \
             "4222 NATS start_nats" "1883 Mosquitto start_mosquitto"; do
  read -r port name starter <<<"$entry"
  if port_open "$port"; then
    echo "ok: $name on 127.0.0.1:$port"
    continue
  fi
  echo "starting $name ..."
  $starter || true
  wait_port "$port" "$name" && echo "ok: $name started" || status=1
done
exit $status
