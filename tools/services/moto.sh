#!/usr/bin/env bash
# Starts or stops moto in server mode: the local stand-in for S3, SQS, Kinesis, Redshift Data and
# the other AWS APIs the runtime calls. Usage: tools/services/moto.sh start|stop|status
# The endpoint is http://127.0.0.1:${MOTO_PORT:-5055}; the pid and log live in .local/moto/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${MOTO_PORT:-5055}
dir="$root/.local/moto"
mkdir -p "$dir"
case "${1:-}" in
  start)
    if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
      echo "moto already listening on 127.0.0.1:$port"; exit 0
    fi
    venv=$("$root/tools/services/python-env.sh" | tail -n 1)
    nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
    echo $! >"$dir/moto.pid"
    for _ in $(seq 1 60); do
      if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then
        echo "moto listening on 127.0.0.1:$port"; exit 0
      fi
      sleep 0.5
    done
    echo "moto did not start within 30 s; see $dir/moto.log" >&2; tail -n 20 "$dir/moto.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$dir/moto.pid" ]; then kill "$(cat "$dir/moto.pid")" 2>/dev/null || true; rm -f "$dir/moto.pid"; fi
    echo "moto stopped"
    ;;
  status)
    curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && echo "up on $port" || { echo "down"; exit 1; }
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2; exit 2
    ;;
esac
