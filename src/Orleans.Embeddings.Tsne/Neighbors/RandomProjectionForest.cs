namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// The approximate neighbour search of one shard's rows: a forest of <see cref="RandomProjectionTree"/>s, which every
/// shard's query rows descend. In each tree the queries that reach a leaf are measured against all the leaf's rows at
/// once, with the same blocked SIMD distances as the exact search, so a tree costs about rows x leaf x dimensions
/// multiply-adds and every core works on its own leaves. A shard's leaves hold its share of
/// <see cref="LeafRows"/>, so the candidates a query meets per tree, summed over the shards, stay the same whatever
/// the shard count. The trees depend only on the shard's rows, its start and the seed, and the lists that come out
/// do not depend on the thread count or the order of the offers; they do depend on how the rows are sharded, since
/// every shard grows its own trees.
/// </summary>
public sealed class RandomProjectionForest
{
    /// <summary>Trees per forest.</summary>
    public const int DefaultTrees = 24;

    /// <summary>Rows per leaf over all shards, at least 5 (k + 1), so that a query meets more than k candidates in every tree.</summary>
    public const int LeafRows = 512;

    private readonly RandomProjectionTree[] trees;

    public RandomProjectionForest(int start, RandomProjectionTree[] trees)
    {
        Start = start;
        this.trees = trees;
    }

    /// <summary>Global index of the shard's first row.</summary>
    public int Start { get; }

    public IReadOnlyList<RandomProjectionTree> Trees => trees;

    /// <summary>Grows the forest of a shard's rows (global indices from <paramref name="start"/>) for queries of k neighbours.</summary>
    public static RandomProjectionForest Build(ReadOnlyMemory<float> rows, int start, int dimensions, int pointCount, int k,
        int seed, ParallelOptions parallel, int treeCount = DefaultTrees, int leafRows = LeafRows)
    {
        var count = rows.Length / dimensions;
        var leaf = (int)Math.Ceiling((double)Math.Max(leafRows, 5 * (k + 1)) * count / pointCount);
        var built = new RandomProjectionTree[treeCount];
        Parallel.For(0, treeCount, parallel, tree =>
            built[tree] = RandomProjectionTree.Build(rows.Span, dimensions, leaf, leaf / 4, TreeSeed(seed, start, tree)));
        return new RandomProjectionForest(start, built);
    }

    /// <summary>
    /// Offers every query row of <paramref name="top"/> the rows of the leaves it reaches. <paramref name="rows"/> are
    /// this forest's shard's rows; the queries may be any shard's.
    /// </summary>
    public void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ReadOnlyMemory<float> rows, int dimensions, ParallelOptions parallel)
    {
        foreach (var tree in trees) tree.Offer(top, queries, rows, Start, dimensions, parallel);
    }

    private static int TreeSeed(int seed, int start, int tree) => unchecked((seed * 1_000_003 + start) * 31 + tree);
}
