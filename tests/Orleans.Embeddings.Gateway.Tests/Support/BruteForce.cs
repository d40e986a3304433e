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
}
