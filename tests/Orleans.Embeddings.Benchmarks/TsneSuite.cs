using Orleans.Embeddings.Grains.Providers;
using System.Diagnostics;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `tsne` suite: the engine with default parameters on the first N Fashion-MNIST images (or on a tensors.tsv or
/// .npy), timed by phase. Options: --n N, --input FILE (with --labels FILE, one label a line, to score the map),
/// --threads T, --shards S, --map FILE, and overrides of the defaults: --pca D (reduce the input to D principal
/// components), --neighbors auto|exact|approximate.
/// </summary>
public static class TsneSuite
{
    public static Dictionary<string, object?> Run(BenchmarkArguments arguments)
    {
        var threads = arguments.Int("threads", Environment.ProcessorCount);
        var shards = arguments.Int("shards", 1);
        float[] data;
        int dimensions;
        string source;
        if (arguments.String("input") is { } input)
        {
            (data, dimensions) = VectorFiles.Read(input);
            source = Path.GetFileName(input);
        }
        else
        {
            (data, dimensions, _) = FashionMnist.Load(arguments.Int("n", 20_000));
            source = "fashion-mnist";
        }
        var n = data.Length / dimensions;
        var options = new TsneOptions
        {
            MaxThreads = threads,
            PcaDimensions = arguments.Int("pca", 0),
            Neighbors = arguments.String("neighbors") is { } method ? Enum.Parse<NeighborMethod>(method, ignoreCase: true) : NeighborMethod.Auto,
        };
        var clock = Stopwatch.StartNew();
        var phase = "";
        var progress = new SynchronousProgress<TsneProgress>(p =>
        {
            // Each phase's start with the process's memory then: resident (and its peak so far) and the managed heap.
            if (p.Phase != phase)
            {
                phase = p.Phase;
                using var process = Process.GetCurrentProcess();
                Console.WriteLine($"  {p.Elapsed.TotalSeconds,7:F1}s  {p.Phase,-20} rss {process.WorkingSet64 >> 20} MB (peak {process.PeakWorkingSet64 >> 20} MB), " +
                    $"heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MB");
            }
            if (p.KlDivergence is { } kl) Console.WriteLine($"  {p.Elapsed.TotalSeconds,7:F1}s  {p.Phase,-20} iteration {p.Iteration,4}  KL {kl:F4}");
        });
        var result = TsneRunner.Run(data, dimensions, options, shards, progress);
        var seconds = clock.Elapsed.TotalSeconds;
        if (arguments.String("map") is { } mapPath) TensorTsvFile.Write(mapPath, result.Map, result.Dimensions);
        var figures = new Dictionary<string, object?>
        {
            ["suite"] = "tsne",
            ["source"] = source,
            ["n"] = n,
            ["dimensions"] = dimensions,
            ["threads"] = threads,
            ["shards"] = shards,
            ["seconds"] = Math.Round(seconds, 2),
            ["phases"] = result.PhaseSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
            ["kl"] = Math.Round(result.KlDivergence, 4),
            ["coordinator_share"] = Math.Round(result.CoordinatorShare, 4),
            ["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0),
            ["neighbors"] = Orleans.Embeddings.Tsne.Neighbors.NeighborPlan.For(options, n, dimensions).ToString(),
            ["pca_dimensions"] = options.EffectivePcaDimensions(dimensions),
        };
        if (arguments.String("labels") is { } labels)
            foreach (var (name, value) in MapQuality.Score(data, dimensions, result.Map, result.Dimensions, ScoreSuite.ReadLabels(labels, n)))
                figures[name] = value;
        return figures;
    }
}
