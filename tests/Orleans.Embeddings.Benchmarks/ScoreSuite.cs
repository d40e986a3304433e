using System.Globalization;
using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `score` command: <see cref="MapQuality"/> of any map (a peer's too) of a labelled input.
/// Options: --input FILE (.npy or tensors.tsv), --labels FILE (one label a line), --map FILE (tensors.tsv).
/// </summary>
public static class ScoreSuite
{
    public static Dictionary<string, object?> Run(BenchmarkArguments arguments)
    {
        var (input, dimensions) = VectorFiles.Read(arguments.String("input") ?? throw new ArgumentException("--input FILE is required."));
        var mapPath = arguments.String("map") ?? throw new ArgumentException("--map FILE is required.");
        var (map, mapDimensions) = TensorTsvFile.Read(mapPath);
        var n = input.Length / dimensions;
        if (map.Length / mapDimensions != n) throw new ArgumentException($"The map has {map.Length / mapDimensions} rows; the input has {n}.");
        var labels = ReadLabels(arguments.String("labels") ?? throw new ArgumentException("--labels FILE is required."), n);
        var figures = new Dictionary<string, object?> { ["suite"] = "score", ["map"] = Path.GetFileName(mapPath), ["n"] = n };
        foreach (var (name, value) in MapQuality.Score(input, dimensions, map, mapDimensions, labels)) figures[name] = value;
        return figures;
    }

    public static int[] ReadLabels(string path, int count)
    {
        var labels = File.ReadLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        return labels.Length == count ? labels : throw new ArgumentException($"'{path}' has {labels.Length} labels for {count} rows.");
    }
}
