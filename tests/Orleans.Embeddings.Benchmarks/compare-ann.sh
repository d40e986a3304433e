#!/usr/bin/env bash
# The ann-benchmarks protocol on Fashion-MNIST (base = first 60,000, queries = last 10,000, k = 10, Euclidean):
# hnswlib (the peer, M = 16, ef_construction = 200, 2 build threads, 1 search thread), then the `ann` suite (the same
# settings, inserted on the silo's one thread; in process, then through the gRPC gateway; with float16 vectors, the
# default, and float32), then hnswlib again, one after the other on the same machine. Prints the runs' lines, then
# the curves side by side (hnswlib's rate the mean of its two runs) and the floors: the fastest in-process point at
# recall@10 >= 0.99 against hnswlib's fastest such point, and the gateway's against the in-process one, for each
# storage. The last line is JSON.
# Usage: compare-ann.sh [ann suite options, e.g. --grpc false]   (PEERS=dir overrides ../shared/peers beside the repository)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
peers=${PEERS:-$repo/../shared/peers}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3

dotnet build -c Release "$repo/tests/Orleans.Embeddings.Benchmarks" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# The machine's speed drifts by tens of percent over minutes (its L3 is shared), so the peer runs before and after
# the suite and the floors compare against the mean of its two rates.
"$python" "$peers/hnswlib_bench.py" 16 200 | tee "$work/hnswlib-before.jsonl"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$repo/tests/Orleans.Embeddings.Benchmarks/bin/Release/net10.0/Orleans.Embeddings.Benchmarks.dll" ann "$@" | tee "$work/ann.out"
tail -n 1 "$work/ann.out" > "$work/ann.json"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" "$peers/hnswlib_bench.py" 16 200 | tee "$work/hnswlib-after.jsonl"
"$python" - "$work/hnswlib-before.jsonl" "$work/hnswlib-after.jsonl" "$work/ann.json" <<'PY'
import json, sys
def read(path):
    return {p["ef"]: p for p in (json.loads(line) for line in open(path) if line.startswith("{"))}
before, after = read(sys.argv[1]), read(sys.argv[2])
peer = [{**b, "recall@10": round((b["recall@10"] + after[ef]["recall@10"]) / 2, 4),
         "qps_1thread": round((b["qps_1thread"] + after[ef]["qps_1thread"]) / 2),
         "qps_before": b["qps_1thread"], "qps_after": after[ef]["qps_1thread"],
         "build_s_2threads": round((b["build_s_2threads"] + after[ef]["build_s_2threads"]) / 2, 1)}
        for ef, b in before.items() if ef in after]
ann = json.load(open(sys.argv[3]))
def table(suffix):
    ours = {p["ef"]: p for p in ann["curve" + suffix]}
    grpc = {p["ef"]: p for p in ann.get("grpc_curve" + suffix, [])}
    print(f"{'ef':>5} | {'hnswlib recall':>14} {'qps':>7} {'before/after':>13} | {'in-process recall':>17} {'qps':>7} {'x hnswlib':>9} | {'gateway recall':>14} {'qps':>7} {'x in-process':>12}")
    for p in peer:
        ef, o, g = p["ef"], ours.get(p["ef"]), grpc.get(p["ef"])
        row = f"{ef:>5} | {p['recall@10']:>14.4f} {p['qps_1thread']:>7} {str(p['qps_before']) + '/' + str(p['qps_after']):>13} | "
        row += f"{o['recall']:>17.4f} {o['qps']:>7.0f} {o['qps'] / p['qps_1thread']:>9.2f} | " if o else f"{'':>35} | "
        row += f"{g['recall']:>14.4f} {g['qps']:>7.0f} {g['qps'] / o['qps']:>12.2f}" if g and o else ""
        print(row)

def fastest(points, recall_key, qps_key):
    good = [p for p in points if p[recall_key] >= 0.99]
    return max(good, key=lambda p: p[qps_key]) if good else None

best_peer = fastest(peer, "recall@10", "qps_1thread")
summary = {"hnswlib_build_seconds": peer[0]["build_s_2threads"] if peer else None, "peak_mb": ann["peak_mb"], "hnswlib_best_at_0.99": best_peer}
# The silo's default storage has keys without a suffix; the other ends "_f32" or "_f16".
for suffix, name in (("", "default"), ("_f32", "float32"), ("_f16", "float16")):
    if "curve" + suffix not in ann:
        continue
    print(f"{name} vectors (build {ann['build_seconds' + suffix]} s in process, {ann.get('grpc_build_seconds' + suffix)} s through the gateway):")
    table(suffix)
    best_ours = fastest(ann["curve" + suffix], "recall", "qps")
    best_grpc = fastest(ann.get("grpc_curve" + suffix, []), "recall", "qps")
    over_peer = round(best_ours["qps"] / best_peer["qps_1thread"], 2) if best_ours and best_peer else None
    over_ours = round(best_grpc["qps"] / best_ours["qps"], 2) if best_grpc and best_ours else None
    summary[name] = {
        "build_seconds": ann["build_seconds" + suffix],
        "in_process_best_at_0.99": best_ours,
        "gateway_best_at_0.99": best_grpc,
        "in_process_over_hnswlib": over_peer,
        "gateway_over_in_process": over_ours,
        "floor_in_process": over_peer is not None and over_peer >= 1,
        "floor_gateway": over_ours is not None and over_ours >= 0.5,
    }
print(json.dumps(summary))
PY
