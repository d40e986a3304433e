using System.Globalization;
using System.Text;

namespace Orleans.Embeddings.Cli.Rendering;

/// <summary>
/// A job's map as the render command draws it: each point's id, the index of its label (its first label, in
/// ordinal order of the distinct labels; -1 for none) and its coordinates, read from the map format's
/// metadata.tsv ("id, label" header) and map.tsv.
/// </summary>
public sealed class MapPoints
{
    private MapPoints(string[] ids, int[] labels, string[] labelNames, int[] labelCounts, float[] coordinates, int dimensions)
    {
        Ids = ids;
        Labels = labels;
        LabelNames = labelNames;
        LabelCounts = labelCounts;
        Coordinates = coordinates;
        Dimensions = dimensions;
    }

    public string[] Ids { get; }

    public int[] Labels { get; }

    public string[] LabelNames { get; }

    public int[] LabelCounts { get; }

    /// <summary>Row-major, Count x <see cref="Dimensions"/>.</summary>
    public float[] Coordinates { get; }

    public int Dimensions { get; }

    public int Count => Ids.Length;

    public float X(int point) => Coordinates[point * Dimensions];

    /// <summary>The second coordinate (0 for a 1-D map).</summary>
    public float Y(int point) => Dimensions > 1 ? Coordinates[point * Dimensions + 1] : 0;

    public static MapPoints Parse(byte[] metadataTsv, byte[] mapTsv)
    {
        var metadata = Lines(metadataTsv);
        if (metadata.Length == 0 || !metadata[0].StartsWith("id\t", StringComparison.Ordinal))
            throw new InvalidDataException("metadata.tsv has no 'id, label' header.");
        var rows = metadata[1..].Select(line => line.Split('\t')).ToArray();
        var ids = rows.Select(r => r[0]).ToArray();
        var firstLabels = rows.Select(r => r.Length > 1 && r[1].Length > 0 ? r[1].Split(',')[0] : null).ToArray();
        var names = firstLabels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var labels = firstLabels.Select(l => l is null ? -1 : index[l]).ToArray();
        var counts = new int[names.Length];
        foreach (var label in labels) if (label >= 0) counts[label]++;

        var map = Lines(mapTsv);
        if (map.Length != ids.Length) throw new InvalidDataException($"map.tsv has {map.Length} rows where metadata.tsv has {ids.Length}.");
        var dimensions = map.Length == 0 ? 2 : map[0].Split('\t').Length;
        var coordinates = new float[map.Length * dimensions];
        for (var row = 0; row < map.Length; row++)
        {
            var cells = map[row].Split('\t');
            if (cells.Length != dimensions) throw new InvalidDataException($"map.tsv row {row + 1} has {cells.Length} values, not {dimensions}.");
            for (var d = 0; d < dimensions; d++)
                coordinates[row * dimensions + d] = float.Parse(cells[d], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return new MapPoints(ids, labels, names, counts, coordinates, dimensions);
    }

    private static string[] Lines(byte[] utf8) => Encoding.UTF8.GetString(utf8).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
