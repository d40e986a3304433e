#!/usr/bin/env bash
# A stand-in collection of N images through the path a user takes, on a cluster of S silo processes and a
# redis-server on this machine: `embeddings ingest` of a .npy, `embeddings tsne` (followed to the end), the
# Projector export and the TSV export, the map scored against the stand-in's labels, and the map page opened in
# chromium on the finished job (the `page` suite). Prints each step's seconds and peak memory, then one JSON line.
#   tests/Orleans.Embeddings.Benchmarks/real-path.sh 1000000 [2] [tsne options, e.g. --iterations 10]
# Needs a Release build (dotnet build -c Release), redis-server and chromium; the stand-in needs dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-1000000}
silos=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
work=$(mktemp -d /tmp/embeddings-real-path.XXXXXX)
bin=bin/Release/net10.0
bench() { dotnet tests/Orleans.Embeddings.Benchmarks/$bin/Orleans.Embeddings.Benchmarks.dll "$@"; }
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Peak resident memory of a process, in MB.
peak() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# Runs a command with its output in the file $1; then $seconds and $peak_mb hold its wall time and peak memory.
timed() {
  local log=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$log"
  read -r seconds peak_kb <"$work/time.txt"
  peak_mb=$((peak_kb / 1024))
}

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

input="$work/standin.npy"
bench standin --n "$n" --out "$input" | tail -1

redis=$(port)
redis-server --port "$redis" --bind 127.0.0.1 --dir "$work" --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)

silo_pids=()
for s in $(seq 1 "$silos"); do
  web=$(port); grpc=$(port)
  [ "$s" = 1 ] && { first_web=$web; first_grpc=$grpc; }
  env Embeddings__Cluster__Mode=Redis Embeddings__Cluster__Redis="127.0.0.1:$redis" \
      Embeddings__Cluster__ClusterId=real-path Embeddings__Cluster__ServiceId=real-path \
      Embeddings__Cluster__SiloPort="$(port)" Embeddings__Cluster__GatewayPort="$(port)" \
      Embeddings__DataDirectory="$work/silo$s" Embeddings__Demo__Enabled=false DOTNET_gcServer=0 \
      Kestrel__Endpoints__Web__Url="http://127.0.0.1:$web" Kestrel__Endpoints__Web__Protocols=Http1AndHttp2 \
      Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$grpc" Kestrel__Endpoints__Grpc__Protocols=Http2 \
      Logging__LogLevel__Default=Warning \
      dotnet src/Orleans.Embeddings.Silo/$bin/Orleans.Embeddings.Silo.dll >"$work/silo$s.log" 2>&1 &
  pids+=($!); silo_pids+=($!)
done
web=$first_web; grpc=$first_grpc
cli=(dotnet src/Orleans.Embeddings.Cli/$bin/embeddings.dll --address "http://127.0.0.1:$grpc")
for attempt in $(seq 1 120); do "${cli[@]}" status >/dev/null 2>&1 && break; sleep 1; done
"${cli[@]}" status >/dev/null || { echo "the cluster did not come up; see $work/silo*.log" >&2; exit 1; }
echo "cluster: $silos silo(s) up; ingesting $n rows"

timed "$work/ingest.log" "${cli[@]}" ingest standin "$input"
tail -1 "$work/ingest.log"
ingest_s=$seconds ingest_mb=$peak_mb
echo "ingest: $ingest_s s, CLI peak $ingest_mb MB"

timed "$work/tsne.log" "${cli[@]}" tsne standin --job standin-map "$@"
tail -3 "$work/tsne.log"
tsne_s=$seconds
echo "tsne: $tsne_s s"

timed "$work/projector.log" "${cli[@]}" export standin-map --out "$work/projector"
projector_s=$seconds projector_mb=$peak_mb projector_mb_on_disk=$(du -sm "$work/projector" | cut -f1)
echo "projector export: $projector_s s, CLI peak $projector_mb MB, $projector_mb_on_disk MB written"

timed "$work/tsv.log" "${cli[@]}" export standin-map --format tsv --out "$work/tsv"
map_s=$seconds
echo "tsv export (tensors, metadata, map): $map_s s, $(du -sm "$work/tsv" | cut -f1) MB written"

page=$(bench page --url "http://127.0.0.1:$web" --job standin-map | tail -1)
echo "page: $page"

silo_peaks=$(for pid in "${silo_pids[@]}"; do peak "$pid"; echo; done | paste -sd, -)
score=$(bench score --input "$input" --labels "$input.labels.tsv" --map "$work/tsv/map.tsv" | tail -1)
echo "score: $score"

python3 - "$n" "$silos" "$ingest_s" "$ingest_mb" "$tsne_s" "$projector_s" "$projector_mb" "$projector_mb_on_disk" "$map_s" "$silo_peaks" "$page" "$score" <<'EOF'
import json, sys
n, silos, ingest_s, ingest_mb, tsne_s, projector_s, projector_mb, projector_disk, map_s, peaks, page, score = sys.argv[1:]
page, score = json.loads(page), json.loads(score)
print(json.dumps({
    "suite": "real-path", "n": int(n), "silos": int(silos),
    "ingest_seconds": float(ingest_s), "ingest_cli_peak_mb": int(ingest_mb),
    "tsne_seconds": float(tsne_s),
    "projector_export_seconds": float(projector_s), "projector_export_cli_peak_mb": int(projector_mb), "projector_export_mb": int(projector_disk),
    "tsv_export_seconds": float(map_s),
    "peak_mb_per_silo": [int(p) for p in peaks.split(",") if p],
    "page_load_seconds": page["load_seconds"], "frame_ms_median": page["frame_ms_median"], "frame_ms_p95": page["frame_ms_p95"],
    "knn_accuracy_10": score.get("knn_accuracy_10"), "knn_preservation_10": score.get("knn_preservation_10"),
}))
EOF
