using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>The reference nearest-neighbour search, in double precision.</summary>
public static class BruteForce
{
    public static (int Row, double Distance)[] Nearest(IReadOnlyList<float[]> rows, float[] query, int k, int? exclude = null,
        Func<int, bool>? where = null, bool cosine = false) =>
        [.. Enumerable.Range(0, rows.Count)
            .Where(r => r != exclude && (where?.Invoke(r) ?? true))
            .Select(r => (Row: r, Distance: cosine ? CosineDistance(rows[r], query) : Euclidean(rows[r], query)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Row)
            .Take(k)];

    public static double Euclidean(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    public static double CosineDistance(float[] a, float[] b)
    {
        var dot = a.Zip(b, (x, y) => (double)x * y).Sum();
        var norms = Math.Sqrt(a.Sum(x => (double)x * x)) * Math.Sqrt(b.Sum(x => (double)x * x));
        return 1 - dot / norms;
    }

    /// <summary>
    /// The cosine distance as a float16 cosine index measures it: between the vectors scaled to unit length and then
    /// rounded to float16, as 1 - their dot product (the rounded vectors are not quite of unit length).
    /// </summary>
    public static double StoredCosineDistance(float[] a, float[] b) =>
        1 - StoredUnit(a).Zip(StoredUnit(b), (x, y) => (double)x * y).Sum();

    /// <summary>
    /// Asserts that <paramref name="found"/> is a correct nearest-first list up to ties: the reference distances of
    /// the images found are the smallest ones, <paramref name="expected"/>'s, and the distances reported are those,
    /// to a relative 1e-4 (an absolute 1e-4 below 1).
    /// </summary>
    public static void AssertNearest((int Row, double Distance)[] expected, IEnumerable<Neighbor> found, Func<int, double> distanceOf)
    {
        var neighbors = found.ToArray();
        Assert.Equal(expected.Select(e => e.Distance), neighbors.Select(n => distanceOf(TestVectors.Row(n.Id))), Tolerance);
        Assert.Equal(expected.Select(e => e.Distance), neighbors.Select(n => (double)n.Distance), Tolerance);
    }

    /// <summary>Distances computed in float32 by the cluster against the double-precision reference.</summary>
    public static IEqualityComparer<double> Tolerance { get; } = EqualityComparer<double>.Create(
        (x, y) => Math.Abs(x - y) <= 1e-4 * Math.Max(1, Math.Abs(y)), _ => 0);

    private static float[] StoredUnit(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(x => (double)x * x));
        return [.. vector.Select(x => (float)(Half)(float)(x / norm))];
    }
}
