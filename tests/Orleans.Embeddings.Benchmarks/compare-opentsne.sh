#!/usr/bin/env bash
# Runs the engine and then openTSNE (../shared/peers/opentsne_tsne.py, 2 threads, its defaults) on the same
# structured stand-in of N rows (`standin`: Fashion-MNIST's 50 leading principal components with jitter), one after
# the other on the same machine, and scores both maps with the same metrics (`score`). Prints the engine's JSON line,
# openTSNE's, and a last line with the ratio of their wall times.
# Usage: compare-opentsne.sh [N]   (default 250000; PEERS=dir overrides ../shared/peers, OPENTSNE=dir the built peer)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS:-$repo/../shared/peers}
n=${1:-250000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3
bench() { dotnet "$repo/tests/Orleans.Embeddings.Benchmarks/bin/Release/net10.0/Orleans.Embeddings.Benchmarks.dll" "$@"; }

dotnet build -c Release "$repo/tests/Orleans.Embeddings.Benchmarks" >/dev/null
bench standin --n "$n" --out "$work/standin.tsv" >/dev/null
bench tsne --input "$work/standin.tsv" --labels "$work/standin.tsv.labels.tsv" --threads 2 | tail -n 1 | tee "$work/engine.json"
"$python" "$peers/opentsne_tsne.py" --input "$work/standin.tsv" --map "$work/opentsne.tsv" | tail -n 1 > "$work/opentsne.json"
bench score --input "$work/standin.tsv" --labels "$work/standin.tsv.labels.tsv" --map "$work/opentsne.tsv" | tail -n 1 > "$work/opentsne-score.json"
"$python" - "$work/engine.json" "$work/opentsne.json" "$work/opentsne-score.json" <<'PY'
import json, sys
engine, peer, score = (json.load(open(p)) for p in sys.argv[1:4])
peer.update({k: v for k, v in score.items() if k.startswith("knn") or k == "quality_sample"})
print(json.dumps(peer))
print(json.dumps({"n": engine["n"], "engine_seconds": engine["seconds"], "opentsne_seconds": peer["seconds"],
                  "ratio": round(engine["seconds"] / peer["seconds"], 3),
                  "engine_knn_accuracy_10": engine.get("knn_accuracy_10"), "opentsne_knn_accuracy_10": peer.get("knn_accuracy_10")}))
PY
