#!/usr/bin/env bash
# Sourced by .ci/run: installs redis-server when missing, starts one node and
# a 3-master cluster and a Sentinel with a master of its own on free loopback
# ports with persistence off, and exports VCODE_TEST_REDIS,
# VCODE_TEST_REDIS_CLUSTER and VCODE_TEST_REDIS_SENTINEL for the tests. The servers
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
# is free too, both below the kernel's ephemeral range: a port in it may be
# the local end of some client's connection at any moment (Chromium's, a
# test's), which a listener cannot bind, yet which port_free cannot see.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p span=$(( ephemeral_low - 10000 - 11000 ))
  [ "$span" -ge 1000 ] || span=1000
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % span) + 11000 ))
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

# A master of its own and one Sentinel monitoring it as "vcode-test"
# (quorum 1, no replicas: nothing to fail over to), for vcoded's
# redis+sentinel:// test. The sentinel is the same binary in sentinel mode.
sentinel_master=$(free_port)
start_redis "$sentinel_master"
sentinel_port=$(free_port)
cat >"$redis_dir/sentinel.conf" <<EOF
port $sentinel_port
bind 127.0.0.1
dir $redis_dir
logfile $redis_dir/sentinel.log
sentinel monitor vcode-test 127.0.0.1 $sentinel_master 1
EOF
redis-server "$redis_dir/sentinel.conf" --sentinel &
redis_pids+=($!)
sentinel_master_port() { redis-cli -p "$sentinel_port" sentinel get-master-addr-by-name vcode-test 2>/dev/null | tail -1; }
for _ in $(seq 1 100); do
  [ "$(sentinel_master_port)" = "$sentinel_master" ] && break
  sleep 0.1
done
[ "$(sentinel_master_port)" = "$sentinel_master" ] \
  || { echo "sentinel did not start:"; cat "$redis_dir/sentinel.log"; exit 1; }
export VCODE_TEST_REDIS_SENTINEL="127.0.0.1:$sentinel_port"
echo "redis: single $VCODE_TEST_REDIS, cluster $VCODE_TEST_REDIS_CLUSTER, sentinel $VCODE_TEST_REDIS_SENTINEL (master vcode-test)"
