#!/usr/bin/env bash
# Runs scikit-learn's t-SNE on the first 20,000 Fashion-MNIST images and then the engine on the first N images
# for each N given (default 20000 70000), 2 threads each, one after the other on the same machine, and scores
# every map with the same metrics. Prints one JSON line per run; each engine line carries its wall-time ratio to
# scikit-learn's 20,000-image run.
# Usage: compare-tsne.sh [N ...]   (PEERS=dir overrides ../shared/peers beside the repository)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS:-$repo/../shared/peers}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 70000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3

dotnet build -c Release "$repo/tests/Orleans.Embeddings.Benchmarks" >/dev/null
"$python" "$peers/sklearn_tsne.py" 20000 "$work/sklearn.tsv" | tail -n 1 | tee "$work/sklearn.json"
for n in "${sizes[@]}"; do
  dotnet "$repo/tests/Orleans.Embeddings.Benchmarks/bin/Release/net10.0/Orleans.Embeddings.Benchmarks.dll" \
    tsne --n "$n" --threads 2 --map "$work/engine.tsv" | tail -n 1 > "$work/engine.json"
  quality=$("$python" "$peers/evaluate_map.py" "$work/engine.tsv")
  "$python" - "$work/engine.json" "$quality" "$work/sklearn.json" <<'PY'
import json, sys
engine = json.load(open(sys.argv[1]))
engine.update({k: v for k, v in json.loads(sys.argv[2]).items() if k.startswith("knn")})
sklearn = json.load(open(sys.argv[3]))
engine["ratio_to_sklearn_20000"] = round(engine["seconds"] / sklearn["seconds"], 3)
if engine["n"] == sklearn["n"]:
    engine["kl_ratio_to_sklearn"] = round(engine["kl"] / sklearn["kl"], 3)
print(json.dumps(engine))
PY
done
