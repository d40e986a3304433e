namespace Orleans.Embeddings.Tsne;

/// <summary>
/// How the rows of a data set are split into contiguous shards. Boundaries fall on multiples of
/// <see cref="ChunkRows"/> so that every reduction summed chunk by chunk (the PCA sums) sees the same chunks
/// whatever the shard count, which is what keeps results identical across shardings.
/// </summary>
public sealed record ShardLayout
{
    public const int ChunkRows = 256;

    private readonly int[] starts;

    private ShardLayout(int[] starts) => this.starts = starts;

    public int PointCount => starts[^1];

    public int ShardCount => starts.Length - 1;

    public int Start(int shard) => starts[shard];

    public int Count(int shard) => starts[shard + 1] - starts[shard];

    /// <summary>Splits <paramref name="pointCount"/> rows into at most <paramref name="shardCount"/> non-empty shards of near-equal size.</summary>
    public static ShardLayout Split(int pointCount, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var chunks = (pointCount + ChunkRows - 1) / ChunkRows;
        var shards = Math.Min(shardCount, chunks);
        var starts = new int[shards + 1];
        for (var s = 0; s <= shards; s++)
            starts[s] = Math.Min(pointCount, (int)((long)chunks * s / shards) * ChunkRows);
        return new ShardLayout(starts);
    }

    /// <summary>The layout with the given shard boundaries (first 0, last the point count), as <see cref="Starts"/> gives them.</summary>
    public static ShardLayout FromStarts(IReadOnlyList<int> starts)
    {
        if (starts.Count < 2 || starts[0] != 0)
            throw new ArgumentException("Shard boundaries start at 0 and hold at least one shard.", nameof(starts));
        for (var s = 1; s < starts.Count; s++)
            if (starts[s] <= starts[s - 1] || (s < starts.Count - 1 && starts[s] % ChunkRows != 0))
                throw new ArgumentException($"Shard boundaries must increase and fall on multiples of {ChunkRows}.", nameof(starts));
        return new ShardLayout([.. starts]);
    }

    /// <summary>The shard boundaries: shard s holds rows [Starts[s], Starts[s + 1]).</summary>
    public IReadOnlyList<int> Starts => starts;

    /// <summary>The shard that owns a row.</summary>
    public int OwnerOf(int row)
    {
        var index = Array.BinarySearch(starts, row);
        return index >= 0 ? Math.Min(index, ShardCount - 1) : ~index - 1;
    }
}
