# Sourced by scripts/test.sh and .ci/run: makes sure a Redis answers on 127.0.0.1:6379,
# installing Debian's redis-server and starting it (loopback only, nothing on disk) if not.
redis_ping() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ! redis_ping; then
  if ! command -v redis-server >/dev/null; then
    echo "installing redis-server" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  fi
  echo "starting redis-server on 127.0.0.1:6379" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >&2
  for _ in $(seq 50); do redis_ping && break; sleep 0.1; done
  redis_ping || { echo "Redis did not come up on 127.0.0.1:6379" >&2; exit 1; }
fi
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
