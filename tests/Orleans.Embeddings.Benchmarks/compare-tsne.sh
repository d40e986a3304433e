#!/usr/bin/env bash
# Runs the engine and scikit-learn's t-SNE side by side on the first N Fashion-MNIST images, 2 threads each,
# and scores both maps with the same metrics. Prints one JSON line per run, the engine's last.
# Usage: compare-tsne.sh N [PEERS_DIR]   (PEERS_DIR defaults to ../shared/peers beside the repository)
set -euo pipefail
n=${1:?usage: compare-tsne.sh N [PEERS_DIR]}
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${2:-$repo/../shared/peers}
work=$(mktemp -d)
python=/usr/bin/python3

dotnet build -c Release "$repo/tests/Orleans.Embeddings.Benchmarks" >/dev/null
"$python" "$peers/sklearn_tsne.py" "$n" "$work/sklearn.tsv" | tail -n 1
dotnet "$repo/tests/Orleans.Embeddings.Benchmarks/bin/Release/net10.0/Orleans.Embeddings.Benchmarks.dll" \
  tsne --n "$n" --threads 2 --map "$work/engine.tsv" | tail -n 1 > "$work/engine.json"
quality=$("$python" "$peers/evaluate_map.py" "$work/engine.tsv")
"$python" - "$work/engine.json" "$quality" <<'PY'
import json, sys
engine = json.load(open(sys.argv[1]))
engine.update({k: v for k, v in json.loads(sys.argv[2]).items() if k.startswith("knn")})
print(json.dumps(engine))
PY
rm -rf "$work"
