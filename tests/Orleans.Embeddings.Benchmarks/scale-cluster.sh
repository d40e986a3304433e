#!/usr/bin/env bash
# Runs the cluster suite's Fashion-MNIST job on 1, 2, 3 ... silo processes (each beside the engine alone, in one
# run) and prints one JSON line per silo count with the machine's load average before it.
# Usage: scale-cluster.sh [N] [S ...]   (default: 20000 points on 1 2 3 silo processes)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-20000}
shift || true
silos=("$@")
[ ${#silos[@]} -gt 0 ] || silos=(1 2 3)

dotnet build -c Release "$repo/tests/Orleans.Embeddings.Benchmarks" >/dev/null
for s in "${silos[@]}"; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  line=$(dotnet "$repo/tests/Orleans.Embeddings.Benchmarks/bin/Release/net10.0/Orleans.Embeddings.Benchmarks.dll" \
    cluster --n "$n" --silos "$s" --processes yes | tail -n 1)
  echo "{\"load_before\":$load,${line#\{}"
done
