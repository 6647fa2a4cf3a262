#!/usr/bin/env bash
# Sourced by .ci/run: installs redis-server when missing, starts one node and
# a 3-master cluster on free loopback ports with persistence off, and exports
# VCODE_TEST_REDIS and VCODE_TEST_REDIS_CLUSTER for the tests. The servers
# are stopped when the calling shell exits.

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "== installing redis-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server redis-tools >/dev/null
fi
redis-server --version

redis_dir=$(mktemp -d)
redis_pids=()

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port prints a port that is free, and whose cluster bus port (+10000)
# is free too.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 9000) + 20000 ))
    if port_free "$p" && port_free $((p + 10000)); then echo "$p"; return 0; fi
  done
  echo "no free port" >&2; return 1
}

start_redis() { # port [extra args...]
  local port=$1; shift
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$redis_dir" --logfile "$redis_dir/redis-$port.log" "$@" &
  redis_pids+=($!)
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis on port $port did not start:"; cat "$redis_dir/redis-$port.log"; return 1
}

stop_redis() {
  for pid in "${redis_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$redis_dir"
}
trap stop_redis EXIT

single=$(free_port)
start_redis "$single"
export VCODE_TEST_REDIS="127.0.0.1:$single"

cluster_addrs=()
for _ in 1 2 3; do
  p=$(free_port)
  start_redis "$p" --cluster-enabled yes --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 5000
  cluster_addrs+=("127.0.0.1:$p")
done
redis-cli --cluster create "${cluster_addrs[@]}" --cluster-replicas 0 --cluster-yes >"$redis_dir/cluster-create.log" 2>&1 \
  || { cat "$redis_dir/cluster-create.log"; exit 1; }
first=${cluster_addrs[0]#127.0.0.1:}
for _ in $(seq 1 100); do
  redis-cli -p "$first" cluster info | grep -q '^cluster_state:ok' && break
  sleep 0.1
done
redis-cli -p "$first" cluster info | grep '^cluster_state:ok' || { echo "cluster not ok"; exit 1; }
export VCODE_TEST_REDIS_CLUSTER=$(IFS=,; echo "${cluster_addrs[*]}")
echo "redis: single $VCODE_TEST_REDIS, cluster $VCODE_TEST_REDIS_CLUSTER"
