using System.Diagnostics;
using Orleans.Embeddings.Grains.Providers;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `neighbors` suite: the approximate k-nearest-neighbour search of t-SNE's neighbour phase (a random-projection
/// forest per shard, every shard's rows offered to every forest) against exact all-pairs search, timed, with its
/// recall@k measured on a sample of rows whose exact neighbours are found by all-pairs search over every row.
/// Options: --input FILE (.npy or tensors.tsv) or --n N (Fashion-MNIST), --k K (90), --trees T, --leaf L,
/// --shards S (1), --sample ROWS (2000), --threads T, --exact true (also time the exact search of every row).
/// </summary>
public static class NeighborsSuite
{
    public static Dictionary<string, object?> Run(BenchmarkArguments arguments)
    {
        var threads = arguments.Int("threads", Environment.ProcessorCount);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var (data, dimensions) = arguments.String("input") is { } input
            ? VectorFiles.Read(input)
            : Fashion(arguments.Int("n", 20_000));
        var n = data.Length / dimensions;
        var k = arguments.Int("k", 90);
        var trees = arguments.Int("trees", RandomProjectionForest.DefaultTrees);
        var leaf = arguments.Int("leaf", RandomProjectionForest.LeafRows);
        var layout = ShardLayout.Split(n, arguments.Int("shards", 1));
        ReadOnlyMemory<float> Rows(int s) => data.AsMemory(layout.Start(s) * dimensions, layout.Count(s) * dimensions);

        var clock = Stopwatch.StartNew();
        var forests = Enumerable.Range(0, layout.ShardCount)
            .Select(s => RandomProjectionForest.Build(Rows(s), layout.Start(s), dimensions, n, k, 42, parallel, trees, leaf)).ToArray();
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var graphs = new NeighborGraph[layout.ShardCount];
        for (var query = 0; query < layout.ShardCount; query++)
        {
            var top = new TopKAccumulator(layout.Start(query), layout.Count(query), k);
            for (var owner = 0; owner < layout.ShardCount; owner++) forests[owner].Offer(top, Rows(query), Rows(owner), dimensions, parallel);
            graphs[query] = top.ToGraph();
        }
        var searchSeconds = clock.Elapsed.TotalSeconds - buildSeconds;

        var sample = Math.Min(n, arguments.Int("sample", 2000));
        var sampleStart = (n - sample) / 2;
        var exact = new TopKAccumulator(sampleStart, sample, k);
        ExactNeighborSearch.Offer(exact, data.AsMemory(sampleStart * dimensions, sample * dimensions), data, 0, dimensions, parallel);
        var truth = exact.ToGraph();
        long hits = 0;
        for (var i = 0; i < sample; i++)
        {
            var row = sampleStart + i;
            var shard = layout.OwnerOf(row);
            var found = graphs[shard].IndicesOf(row - layout.Start(shard)).ToArray();
            hits += found.Intersect(truth.IndicesOf(i).ToArray()).Count();
        }
        var figures = new Dictionary<string, object?>
        {
            ["suite"] = "neighbors",
            ["n"] = n,
            ["dimensions"] = dimensions,
            ["k"] = k,
            ["threads"] = threads,
            ["shards"] = layout.ShardCount,
            ["trees"] = trees,
            ["leaf"] = leaf,
            ["build_seconds"] = Math.Round(buildSeconds, 2),
            ["search_seconds"] = Math.Round(searchSeconds, 2),
            ["seconds"] = Math.Round(buildSeconds + searchSeconds, 2),
            ["recall"] = Math.Round((double)hits / ((long)sample * k), 4),
            ["recall_sample"] = sample,
        };
        if (arguments.String("exact") == "true")
        {
            clock.Restart();
            var all = new TopKAccumulator(0, n, k);
            ExactNeighborSearch.Offer(all, data, data, 0, dimensions, parallel);
            all.ToGraph();
            figures["exact_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2);
        }
        figures["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0);
        return figures;
    }

    private static (float[] Data, int Dimensions) Fashion(int n)
    {
        var (data, dimensions, _) = FashionMnist.Load(n);
        return (data, dimensions);
    }
}
