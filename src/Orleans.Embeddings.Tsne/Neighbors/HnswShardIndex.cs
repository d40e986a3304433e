using Cloud.Unum.USearch;

namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// An approximate neighbour index (HNSW, USearch) over one shard's rows, which every shard's query rows are
/// offered to. The graph is built by inserting rows one at a time in row order, so it is the same whatever the
/// thread count; searches only read it and run in parallel.
/// </summary>
public sealed class HnswShardIndex : IDisposable
{
    /// <summary>Links per node (HNSW's M); hnswlib's default.</summary>
    public const int Connectivity = 16;

    /// <summary>Breadth of the search that links each new row into the graph.</summary>
    public const int ExpansionAdd = 128;

    private readonly USearchIndex index;
    private readonly int start;
    private readonly int dimensions;

    private HnswShardIndex(USearchIndex index, int start, int dimensions)
    {
        this.index = index;
        this.start = start;
        this.dimensions = dimensions;
    }

    /// <summary>Indexes rows (global indices from <paramref name="start"/>) for queries of up to k neighbours.</summary>
    public static HnswShardIndex Build(ReadOnlyMemory<float> rows, int start, int dimensions, int k)
    {
        var count = rows.Length / dimensions;
        // The search must explore at least k + 1 candidates; building with hnswlib's customary breadth is enough
        // for the candidates to be re-ranked afterwards.
        var index = new USearchIndex(MetricKind.L2sq, ScalarKind.Float32, (ulong)dimensions, Connectivity,
            ExpansionAdd, (ulong)Math.Max(k + 1, 64));
        var vector = new float[dimensions];
        for (var i = 0; i < count; i++)
        {
            rows.Span.Slice(i * dimensions, dimensions).CopyTo(vector);
            index.Add((ulong)i, vector);
        }
        return new HnswShardIndex(index, start, dimensions);
    }

    /// <summary>Offers each query row its nearest rows of this index (k + 1, so that a row found as its own neighbour still leaves k).</summary>
    public void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ParallelOptions parallel)
    {
        Parallel.For(0, top.QueryCount, parallel, () => new float[dimensions], (row, _, vector) =>
        {
            queries.Span.Slice(row * dimensions, dimensions).CopyTo(vector);
            var found = index.Search(vector, top.K + 1, out var keys, out var distances);
            for (var i = 0; i < found; i++) top.Offer(row, start + (int)keys[i], distances[i]);
            return vector;
        }, _ => { });
    }

    public void Dispose() => index.Dispose();
}
