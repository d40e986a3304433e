#!/usr/bin/env bash
# Runs the topology of docker-compose.yml as processes on this machine, on loopback: a redis-server (data in a
# temporary directory), N silo host processes clustered and persisted through it, and the standalone gateway.
# It prints every address and process id (kill -9 one silo to watch the cluster recover), and Ctrl+C stops
# everything: the gateway and the silos as an orchestrator would (SIGTERM), then Redis.
#
#   deploy/local-cluster.sh [options]
#     -n, --silos N          silo processes (default 3)
#     --port-offset K        add K to every port, to run two clusters side by side (default 0)
#     --no-gateway           no standalone gateway
#     --demo                 load the demo collection and compute its map
#     --no-publish           run what `dotnet build -c CONFIGURATION` left in src/*/bin instead of publishing
#     -c, --configuration C  Release (default) or Debug
#     --cluster-id ID        cluster and service id (default orleans-embeddings)
#     --keep-data            leave the temporary directory (Redis data, logs) in place
#
# Ports, with K the offset and i = 1..N:
#   redis 6379+K; gateway HTTP 5000+K and gRPC 5001+K (as docker compose publishes them);
#   silo i: silo port 11110+i+K, Orleans gateway port 29999+i+K, HTTP 5098+2i+K, gRPC 5099+2i+K.
set -euo pipefail

silos=3
offset=0
gateway=1
demo=false
publish=1
configuration=Release
cluster_id=orleans-embeddings
keep=0

usage() {
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        -n|--silos) silos="$2"; shift 2 ;;
        --port-offset) offset="$2"; shift 2 ;;
        --no-gateway) gateway=0; shift ;;
        --demo) demo=true; shift ;;
        --no-publish) publish=0; shift ;;
        -c|--configuration) configuration="$2"; shift 2 ;;
        --cluster-id) cluster_id="$2"; shift 2 ;;
        --keep-data) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

case "$silos" in ''|*[!0-9]*) echo "error: --silos must be a number, not '$silos'" >&2; exit 2 ;; esac
case "$offset" in ''|*[!0-9]*) echo "error: --port-offset must be a number, not '$offset'" >&2; exit 2 ;; esac
[ "$silos" -ge 1 ] || { echo "error: --silos must be at least 1" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
command -v redis-server >/dev/null || { echo "error: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (or runtime) is required: dotnet is not on PATH" >&2; exit 1; }

# The programs: published into artifacts/local-cluster, as the Dockerfile publishes them, or as last built.
if [ "$publish" -eq 1 ]; then
    out="$root/artifacts/local-cluster"
    echo "Publishing the silo host and the gateway ($configuration) into $out ..."
    dotnet publish "$root/src/Orleans.Embeddings.Silo/Orleans.Embeddings.Silo.csproj" -c "$configuration" -o "$out/silo" -p:UseAppHost=false --nologo -v quiet
    silo_dll="$out/silo/Orleans.Embeddings.Silo.dll"
    if [ "$gateway" -eq 1 ]; then
        dotnet publish "$root/src/Orleans.Embeddings.Gateway/Orleans.Embeddings.Gateway.csproj" -c "$configuration" -o "$out/gateway" -p:UseAppHost=false --nologo -v quiet
    fi
    gateway_dll="$out/gateway/Orleans.Embeddings.Gateway.dll"
else
    silo_dll="$root/src/Orleans.Embeddings.Silo/bin/$configuration/net10.0/Orleans.Embeddings.Silo.dll"
    gateway_dll="$root/src/Orleans.Embeddings.Gateway/bin/$configuration/net10.0/Orleans.Embeddings.Gateway.dll"
fi
[ -f "$silo_dll" ] || { echo "error: $silo_dll does not exist (build it, or drop --no-publish)" >&2; exit 1; }
if [ "$gateway" -eq 1 ] && [ ! -f "$gateway_dll" ]; then
    echo "error: $gateway_dll does not exist (build it, drop --no-publish, or use --no-gateway)" >&2
    exit 1
fi

redis_port=$((6379 + offset))
gateway_web=$((5000 + offset))
gateway_grpc=$((5001 + offset))
silo_port() { echo $((11110 + $1 + offset)); }
orleans_gateway_port() { echo $((29999 + $1 + offset)); }
web_port() { echo $((5098 + 2 * $1 + offset)); }
grpc_port() { echo $((5099 + 2 * $1 + offset)); }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wanted=("$redis_port")
[ "$gateway" -eq 1 ] && wanted+=("$gateway_web" "$gateway_grpc")
for i in $(seq 1 "$silos"); do
    wanted+=("$(silo_port "$i")" "$(orleans_gateway_port "$i")" "$(web_port "$i")" "$(grpc_port "$i")")
done
for port in "${wanted[@]}"; do
    if [ "$port" -gt 65535 ] || listening "$port"; then
        echo "error: port $port is taken or out of range; choose another --port-offset" >&2
        exit 1
    fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/orleans-embeddings-local.XXXXXX")"
mkdir -p "$work/redis" "$work/logs"

redis_pid=""
programs=()   # "name pid" of every dotnet process, the gateway first

stop_all() {
    trap - EXIT INT TERM
    echo
    echo "Stopping ..."
    local entry pid
    for entry in "${programs[@]}"; do
        kill -TERM "${entry##* }" 2>/dev/null || true
    done
    # Silos leave the cluster in order and hand their grains over; that takes a few seconds.
    for _ in $(seq 1 600); do
        local running=0
        for entry in "${programs[@]}"; do
            kill -0 "${entry##* }" 2>/dev/null && running=1
        done
        [ "$running" -eq 0 ] && break
        sleep 0.1
    done
    for entry in "${programs[@]}"; do
        pid="${entry##* }"
        if kill -0 "$pid" 2>/dev/null; then
            echo "${entry% *} did not stop in 60 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "$redis_pid" ]; then
        kill -TERM "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    if [ "$keep" -eq 1 ]; then
        echo "Data and logs kept in $work"
    else
        rm -rf "$work"
    fi
    echo "Stopped."
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" \
    --appendonly yes --appendfsync everysec --save "" --maxmemory-policy noeviction \
    >"$work/logs/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 200); do
    listening "$redis_port" && break
    kill -0 "$redis_pid" 2>/dev/null || { echo "error: redis-server exited:" >&2; tail -n 20 "$work/logs/redis.log" >&2; exit 1; }
    sleep 0.1
done

# The same configuration keys as the containers get (docker-compose.yml), with loopback addresses. Workstation
# GC: several silos share this machine's cores, and a server GC heap per core in each would crowd it.
common=(
    "Embeddings__Cluster__Mode=Redis"
    "Embeddings__Cluster__Redis=127.0.0.1:$redis_port"
    "Embeddings__Cluster__ClusterId=$cluster_id"
    "Embeddings__Cluster__ServiceId=$cluster_id"
    "Kestrel__Endpoints__Grpc__Protocols=Http2"
    "DOTNET_gcServer=0"
)

start_program() { # name log dll environment...
    local name="$1" log="$2" dll="$3"
    shift 3
    (cd "$work" && exec env "${common[@]}" "$@" dotnet "$dll") >"$log" 2>&1 &
    programs+=("$name $!")
}

if [ "$gateway" -eq 1 ]; then
    start_program gateway "$work/logs/gateway.log" "$gateway_dll" \
        "Kestrel__Endpoints__Web__Url=http://127.0.0.1:$gateway_web" \
        "Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$gateway_grpc"
fi
for i in $(seq 1 "$silos"); do
    start_program "silo-$i" "$work/logs/silo-$i.log" "$silo_dll" \
        "Embeddings__Cluster__SiloPort=$(silo_port "$i")" \
        "Embeddings__Cluster__GatewayPort=$(orleans_gateway_port "$i")" \
        "Embeddings__Cluster__AdvertisedIP=127.0.0.1" \
        "Embeddings__Demo__Enabled=$demo" \
        "Kestrel__Endpoints__Web__Url=http://127.0.0.1:$(web_port "$i")" \
        "Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$(grpc_port "$i")"
done

# A silo host opens its HTTP ports once its silo has joined the cluster; the gateway opens them at once and
# reports NOT_SERVING until it reaches a silo.
wait_for_port() { # name pid port log
    for _ in $(seq 1 1200); do
        listening "$3" && return 0
        if ! kill -0 "$2" 2>/dev/null; then
            echo "error: $1 exited before it listened on port $3:" >&2
            tail -n 30 "$4" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "error: $1 did not listen on port $3 within 120 s:" >&2
    tail -n 30 "$4" >&2
    exit 1
}
for entry in "${programs[@]}"; do
    name="${entry% *}"
    pid="${entry##* }"
    if [ "$name" = gateway ]; then
        wait_for_port "$name" "$pid" "$gateway_grpc" "$work/logs/gateway.log"
    else
        wait_for_port "$name" "$pid" "$(grpc_port "${name#silo-}")" "$work/logs/$name.log"
    fi
done

if [ "$silos" -eq 1 ]; then described="1 silo"; else described="$silos silos"; fi
if [ "$gateway" -eq 1 ]; then described="$described, a standalone gateway"; fi
echo "Cluster '$cluster_id' is up on loopback: $described, Redis."
echo "  redis      127.0.0.1:$redis_port  pid $redis_pid  data $work/redis"
for entry in "${programs[@]}"; do
    name="${entry% *}"
    pid="${entry##* }"
    if [ "$name" = gateway ]; then
        echo "  gateway    gRPC http://127.0.0.1:$gateway_grpc  HTTP http://127.0.0.1:$gateway_web  pid $pid  log $work/logs/gateway.log"
    else
        i="${name#silo-}"
        printf '  %-9s  gRPC http://127.0.0.1:%s  dashboard http://127.0.0.1:%s/dashboard/  silo port %s  gateway port %s  pid %s  log %s\n' \
            "$name" "$(grpc_port "$i")" "$(web_port "$i")" "$(silo_port "$i")" "$(orleans_gateway_port "$i")" "$pid" "$work/logs/$name.log"
    fi
done
if [ "$gateway" -eq 1 ]; then api="$gateway_grpc"; else api="$(grpc_port 1)"; fi
echo "Try: dotnet run --project src/Orleans.Embeddings.Cli -- --address http://127.0.0.1:$api status"
echo "Press Ctrl+C to stop everything."
echo "ready"

# Keep running until Ctrl+C. A process that exits (one killed to watch the others recover) is reported, and the
# rest go on.
reported=" "
while true; do
    wait -n 2>/dev/null || true
    for entry in "${programs[@]}"; do
        pid="${entry##* }"
        kill -0 "$pid" 2>/dev/null && continue
        case "$reported" in
            *" $pid "*) ;;
            *) echo "${entry% *} (pid $pid) exited."; reported="$reported$pid " ;;
        esac
    done
    if ! kill -0 "$redis_pid" 2>/dev/null; then
        echo "redis-server exited; stopping."
        exit 1
    fi
    sleep 1
done
