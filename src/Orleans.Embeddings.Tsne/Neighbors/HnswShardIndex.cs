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

    /// <summary>Query rows searched per block: bounds the candidate lists held at once (k + 1 per row).</summary>
    public const int QueryBlockRows = 4096;

    private readonly USearchIndex index;
    private readonly int start;
    private readonly int dimensions;
    private readonly int k;
    private readonly Lock searching = new();

    private HnswShardIndex(USearchIndex index, int start, int dimensions, int k)
    {
        this.index = index;
        this.start = start;
        this.dimensions = dimensions;
        this.k = k;
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
        return new HnswShardIndex(index, start, dimensions, k);
    }

    /// <summary>
    /// The k + 1 nearest rows of this index to each query row (k + 1, so that a row found as its own neighbour still
    /// leaves k), as global indices.
    /// </summary>
    public NeighborCandidates Search(ReadOnlyMemory<float> queries, ParallelOptions parallel)
    {
        var perRow = k + 1;
        var rows = queries.Length / dimensions;
        var indices = new int[rows * perRow];
        var distances = new float[rows * perRow];
        Array.Fill(indices, -1);
        // USearch keeps one search context per hardware thread and fails a search that finds none free, so one
        // block is searched at a time (its rows in parallel), however many shards query this index at once.
        lock (searching)
        {
            Parallel.For(0, rows, parallel, () => new float[dimensions], (row, _, vector) =>
            {
                queries.Span.Slice(row * dimensions, dimensions).CopyTo(vector);
                var found = (int)index.Search(vector, perRow, out var keys, out var squared);
                for (var i = 0; i < found; i++)
                {
                    indices[row * perRow + i] = start + (int)keys[i];
                    distances[row * perRow + i] = squared[i];
                }
                return vector;
            }, _ => { });
        }
        return new NeighborCandidates(perRow, indices, distances);
    }

    /// <summary>Offers every query row of <paramref name="top"/> its nearest rows of this index, a block at a time.</summary>
    public void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ParallelOptions parallel)
    {
        for (var first = 0; first < top.QueryCount; first += QueryBlockRows)
        {
            var rows = Math.Min(QueryBlockRows, top.QueryCount - first);
            top.Offer(Search(queries.Slice(first * dimensions, rows * dimensions), parallel), first, parallel);
        }
    }

    public void Dispose() => index.Dispose();
}
