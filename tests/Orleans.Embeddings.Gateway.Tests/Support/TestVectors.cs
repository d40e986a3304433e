using System.Globalization;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>Points in three well-separated clusters labelled red, green and blue; the same for the same seed.</summary>
public static class TestVectors
{
    public const int Dimensions = 16;

    public static readonly string[] Labels = ["red", "green", "blue"];

    public static string Id(int row) => $"p{row:D4}";

    public static int Row(string id) => int.Parse(id[1..], CultureInfo.InvariantCulture);

    public static string LabelOf(int row) => Labels[row % Labels.Length];

    public static float[][] Generate(int count, int seed = 7)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(row =>
        {
            var cluster = row % Labels.Length;
            return Enumerable.Range(0, Dimensions).Select(d => (float)((d % Labels.Length == cluster ? 8.0 : 0.0) + random.NextDouble() * 2)).ToArray();
        })];
    }

    public static IngestItem Item(float[] vector, int row) => new()
    {
        Id = Id(row),
        Vector = new Vector { Values = { vector } },
        Labels = { LabelOf(row) },
        Metadata = { ["row"] = row.ToString(CultureInfo.InvariantCulture) },
    };
}
