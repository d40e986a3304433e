using System.Diagnostics;
using Orleans.Embeddings.Grains.Providers;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `standin` command: a large collection with a real structure, for runs past Fashion-MNIST's 70,000 images.
/// The 70,000 images are reduced to their 50 leading principal components, and row i is image i mod 70,000 plus
/// Gaussian jitter of --jitter (default 0.1) times each component's standard deviation, drawn from a fixed seed; its
/// label is the image's. Writes --out FILE (.npy, or .tsv for a tensors.tsv) and FILE's labels beside it
/// (FILE.labels.tsv, one per line). Options: --n N (default 250,000), --out FILE, --jitter J.
/// </summary>
public static class StandInSuite
{
    public const int Components = 50;

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments)
    {
        var n = arguments.Int("n", 250_000);
        var output = arguments.String("out") ?? throw new ArgumentException("--out FILE.npy (or .tsv) is required.");
        var jitter = double.Parse(arguments.String("jitter") ?? "0.1", System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var (pixels, dimensions, labels) = FashionMnist.Load(70_000);
        var parallel = new ParallelOptions();
        var sums = PcaSums.Compute(pixels, dimensions, PcaSums.MaxAbsoluteOf(pixels), parallel);
        var model = PcaModel.Fit(sums, Components);
        var projected = model.Project(pixels, parallel);
        var spread = model.Variances.Select(v => (float)(jitter * Math.Sqrt(v))).ToArray();

        var rows = new float[(long)n * Components <= Array.MaxLength ? n * Components : throw new ArgumentException($"--n {n} is too large.")];
        Parallel.For(0, (n + 65_535) / 65_536, parallel, block =>
        {
            var random = new Random(1_000 + block);
            for (var i = block * 65_536; i < Math.Min(n, (block + 1) * 65_536); i++)
            {
                var source = i % 70_000;
                for (var d = 0; d < Components; d++)
                    rows[i * Components + d] = projected[source * Components + d] + spread[d] * (float)Gaussian(random);
            }
        });
        if (output.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) NpyFile.Write(output, rows, Components);
        else TensorTsvFile.Write(output, rows, Components);
        File.WriteAllLines(output + ".labels.tsv", Enumerable.Range(0, n).Select(i => labels[i % 70_000].ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new Dictionary<string, object?>
        {
            ["suite"] = "standin",
            ["n"] = n,
            ["dimensions"] = Components,
            ["jitter"] = jitter,
            ["out"] = output,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
        };
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
