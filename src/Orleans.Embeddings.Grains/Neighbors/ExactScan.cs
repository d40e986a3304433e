using System.Numerics.Tensors;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Exact k-nearest-neighbour search by scanning every row: one membership shard's embeddings, or a job's map.
/// Each distance is one SIMD pass over the two vectors (TensorPrimitives); queries run in parallel.
/// </summary>
public sealed class ExactScan
{
    private readonly string[] ids;
    private readonly float[] rows;
    private readonly string[][] labels;
    private readonly bool[] usable;
    private readonly float[] norms;
    private readonly Dictionary<string, int> rowOf;

    /// <param name="usable">Rows that may match (members without an embedding may not); null: all.</param>
    public ExactScan(string[] ids, float[] rows, int dimensions, string[][] labels, bool[]? usable = null)
    {
        if (dimensions > 0 && rows.Length != ids.Length * dimensions)
            throw new ArgumentException($"{rows.Length} values are not {ids.Length} rows of {dimensions}.", nameof(rows));
        this.ids = ids;
        this.rows = rows;
        this.labels = labels;
        this.usable = usable ?? Enumerable.Repeat(true, ids.Length).ToArray();
        Dimensions = dimensions;
        norms = new float[ids.Length];
        if (dimensions > 0)
            for (var row = 0; row < ids.Length; row++)
                norms[row] = TensorPrimitives.Norm(Row(row));
        rowOf = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var row = 0; row < ids.Length; row++) rowOf.TryAdd(ids[row], row);
    }

    public int Count => ids.Length;

    public int Dimensions { get; }

    /// <summary>The row of an id, or -1.</summary>
    public int RowOf(string id) => rowOf.GetValueOrDefault(id, -1);

    public ReadOnlySpan<float> Row(int row) => rows.AsSpan(row * Dimensions, Dimensions);

    /// <summary>
    /// The k nearest usable rows of each query (queries x <see cref="Dimensions"/> values, row-major), nearest
    /// first with ties in row order, leaving out the row of <paramref name="exclude"/>[q] for query q.
    /// </summary>
    public NearestMatch[][] Search(float[] queries, NearestOptions options, IReadOnlyList<string?> exclude)
    {
        var count = exclude.Count;
        if (queries.Length != count * Dimensions)
            throw new ArgumentException($"{queries.Length} values are not {count} queries of {Dimensions}.", nameof(queries));
        var candidates = Candidates(options.Labels);
        var results = new NearestMatch[count][];
        Parallel.For(0, count, q =>
        {
            var skip = exclude[q] is { } id ? RowOf(id) : -1;
            results[q] = SearchOne(queries.AsSpan(q * Dimensions, Dimensions), options.K, options.Metric, candidates, skip);
        });
        return results;
    }

    private NearestMatch[] SearchOne(ReadOnlySpan<float> query, int k, NeighborMetric metric, int[] candidates, int skip)
    {
        var best = new TopK(k);
        var queryNorm = metric == NeighborMetric.Cosine ? TensorPrimitives.Norm(query) : 0f;
        foreach (var row in candidates)
        {
            if (row == skip) continue;
            var distance = metric == NeighborMetric.Euclidean
                ? TensorPrimitives.Distance(query, Row(row))
                : CosineDistance(query, queryNorm, row);
            best.Offer(distance, row);
        }
        return [.. best.Sorted().Select(m => new NearestMatch(ids[m.Row], m.Distance, labels[m.Row]))];
    }

    /// <summary>1 - cosine similarity; a zero vector is at distance 1 from everything.</summary>
    private float CosineDistance(ReadOnlySpan<float> query, float queryNorm, int row)
    {
        var norm = queryNorm * norms[row];
        return norm > 0 ? Math.Max(0f, 1f - TensorPrimitives.Dot(query, Row(row)) / norm) : 1f;
    }

    /// <summary>The usable rows that carry at least one of the labels (every usable row when none is given).</summary>
    private int[] Candidates(string[] wanted)
    {
        var filter = wanted.Length == 0 ? null : new HashSet<string>(wanted, StringComparer.Ordinal);
        var candidates = new List<int>(ids.Length);
        for (var row = 0; row < ids.Length; row++)
            if (usable[row] && (filter is null || labels[row].Any(filter.Contains)))
                candidates.Add(row);
        return [.. candidates];
    }
}
