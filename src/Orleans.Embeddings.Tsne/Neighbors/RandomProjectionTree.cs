using System.Numerics.Tensors;

namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// One random-projection tree over a shard's rows (Dasgupta and Freund 2008; the trees of Annoy and of PyNNDescent's
/// first guess): each node splits its rows by the hyperplane halfway between two of them picked at random, until a
/// node holds at most the leaf size. Rows that fall in the same leaf are close more often than not, and a forest of
/// such trees, each with different random splits, finds most of every row's nearest neighbours among its leaf mates.
/// </summary>
/// <param name="Order">The shard's local rows, leaf after leaf.</param>
/// <param name="LeafStarts">Where each leaf begins in <paramref name="Order"/>, and its end last.</param>
/// <param name="Normals">Each split node's hyperplane normal, dimensions floats per node.</param>
/// <param name="Offsets">Each split node's threshold: a row goes left when its dot product with the normal is below it.</param>
/// <param name="Children">Each split node's left and right child: a node index, or the complement of a leaf index.</param>
public sealed record RandomProjectionTree(int[] Order, int[] LeafStarts, float[] Normals, float[] Offsets, int[] Children)
{
    // Random pairs tried for a split whose smaller side keeps at least the minimum, before splitting at the median.
    private const int SplitAttempts = 4;

    // A split must leave at least this fraction of a node on its smaller side, which bounds the depth by about
    // 15 log(rows / leaf) whatever the data.
    private const int SmallestShare = 16;

    public int LeafCount => LeafStarts.Length - 1;

    /// <summary>The local rows of one leaf.</summary>
    public ReadOnlySpan<int> Leaf(int leaf) => Order.AsSpan(LeafStarts[leaf], LeafStarts[leaf + 1] - LeafStarts[leaf]);

    /// <summary>The leaf a row (of any shard) descends to.</summary>
    public int LeafOf(ReadOnlySpan<float> row)
    {
        if (Offsets.Length == 0) return 0;
        var dimensions = row.Length;
        var node = 0;
        while (true)
        {
            var side = TensorPrimitives.Dot(row, Normals.AsSpan(node * dimensions, dimensions)) < Offsets[node] ? 0 : 1;
            var child = Children[2 * node + side];
            if (child < 0) return ~child;
            node = child;
        }
    }

    /// <summary>
    /// Offers every query row of <paramref name="top"/> the rows of the leaf it reaches, measured exactly, a leaf's
    /// queries against all its rows at once and the leaves in parallel (each query reaches one leaf, so no two threads
    /// offer to one row). <paramref name="rows"/> are the rows this tree was built over, global indices from
    /// <paramref name="start"/>; the queries may be any shard's.
    /// </summary>
    public void Offer(TopKAccumulator top, ReadOnlyMemory<float> queries, ReadOnlyMemory<float> rows, int start, int dimensions, ParallelOptions parallel)
    {
        // A shard's own rows need not descend: the leaves already list them.
        var own = top.QueryStart == start && top.QueryCount == Order.Length;
        var (queryOrder, queryStarts) = own ? (Order, LeafStarts) : Descend(queries, top.QueryCount, dimensions, parallel);
        Parallel.For(0, LeafCount, parallel, () => new ExactNeighborSearch.GatherBuffers(), (leaf, _, buffers) =>
        {
            var leafQueries = queryOrder.AsSpan(queryStarts[leaf], queryStarts[leaf + 1] - queryStarts[leaf]);
            if (leafQueries.Length > 0)
                ExactNeighborSearch.OfferGathered(top, queries.Span, leafQueries, rows.Span, Leaf(leaf), start, dimensions, buffers);
            return buffers;
        }, _ => { });
    }

    // The query rows grouped by the leaf each reaches, as the tree's own rows are: an order and each leaf's start in it.
    private (int[] Order, int[] Starts) Descend(ReadOnlyMemory<float> queries, int count, int dimensions, ParallelOptions parallel)
    {
        var leafOf = new int[count];
        Parallel.For(0, count, parallel, row => leafOf[row] = LeafOf(queries.Span.Slice(row * dimensions, dimensions)));
        var starts = new int[LeafCount + 1];
        foreach (var leaf in leafOf) starts[leaf + 1]++;
        for (var leaf = 0; leaf < LeafCount; leaf++) starts[leaf + 1] += starts[leaf];
        var order = new int[count];
        var next = starts[..^1];
        for (var row = 0; row < count; row++) order[next[leafOf[row]]++] = row;
        return (order, starts);
    }

    /// <summary>
    /// Builds a tree over row-major rows whose leaves hold at most <paramref name="leafRows"/> rows, and, once split,
    /// at least <paramref name="minimumSide"/>: a random split that leaves fewer on one side is tried again, and after
    /// a few tries the node is split at the median projection instead. The tree depends only on the rows and the seed.
    /// </summary>
    public static RandomProjectionTree Build(ReadOnlySpan<float> rows, int dimensions, int leafRows, int minimumSide, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leafRows, 1);
        minimumSide = Math.Clamp(minimumSide, 1, Math.Max(1, leafRows / 2));
        var count = rows.Length / dimensions;
        var builder = new Builder(dimensions, leafRows, minimumSide, new Random(seed), count);
        builder.Split(rows, 0, count);
        return builder.ToTree();
    }

    private sealed class Builder(int dimensions, int leafRows, int minimumSide, Random random, int count)
    {
        private readonly int[] order = [.. Enumerable.Range(0, count)];
        private readonly float[] projections = new float[count];
        private readonly int[] movedMembers = new int[count];
        private readonly float[] movedProjections = new float[count];
        private readonly List<int> leafStarts = [0];
        private readonly List<float> normals = [];
        private readonly List<float> offsets = [];
        private readonly List<int> children = [];

        public RandomProjectionTree ToTree() => new(order, [.. leafStarts], [.. normals], [.. offsets], [.. children]);

        // Splits order[first..end) and returns the child code of the subtree: a node index or a leaf's complement.
        public int Split(ReadOnlySpan<float> rows, int first, int end)
        {
            var size = end - first;
            if (size <= leafRows)
            {
                leafStarts.Add(end);
                return ~(leafStarts.Count - 2);
            }
            var node = offsets.Count;
            var normal = new float[dimensions];
            offsets.Add(0f);
            children.Add(0);
            children.Add(0);
            var members = order.AsSpan(first, size);
            var projected = projections.AsSpan(first, size);
            var middle = -1;
            float offset = 0;
            for (var attempt = 0; attempt < SplitAttempts && middle < 0; attempt++)
            {
                var a = members[random.Next(size)];
                var b = members[random.Next(size)];
                var rowA = rows.Slice(a * dimensions, dimensions);
                var rowB = rows.Slice(b * dimensions, dimensions);
                TensorPrimitives.Subtract(rowA, rowB, normal);
                // The hyperplane halfway between the two rows: (|a|^2 - |b|^2) / 2 = normal . (a + b) / 2.
                offset = (TensorPrimitives.Dot(rowA, rowA) - TensorPrimitives.Dot(rowB, rowB)) / 2;
                Project(rows, members, normal, projected);
                var left = Partition(members, projected, offset);
                if (Math.Min(left, size - left) >= Math.Max(minimumSide, size / SmallestShare)) middle = left;
            }
            if (middle < 0)
            {
                // Every try cut off too few rows (outliers, or duplicates that no hyperplane separates): split at
                // the median of the last projection, which always halves the node.
                projected.Sort(members);
                middle = size / 2;
                offset = projected[middle - 1] / 2 + projected[middle] / 2;
            }
            normals.AddRange(normal);
            offsets[node] = offset;
            children[2 * node] = Split(rows, first, first + middle);
            children[2 * node + 1] = Split(rows, first + middle, end);
            return node;
        }

        private void Project(ReadOnlySpan<float> rows, ReadOnlySpan<int> members, ReadOnlySpan<float> normal, Span<float> projected)
        {
            for (var i = 0; i < members.Length; i++)
                projected[i] = TensorPrimitives.Dot(rows.Slice(members[i] * dimensions, dimensions), normal);
        }

        // Moves the rows whose projection is below the offset to the front, keeping each side in its prior order;
        // returns how many went left.
        private int Partition(Span<int> members, Span<float> projected, float offset)
        {
            var left = 0;
            for (var i = 0; i < members.Length; i++)
                if (projected[i] < offset) left++;
            if (left == 0 || left == members.Length) return left;
            var toMembers = movedMembers.AsSpan(0, members.Length);
            var toProjections = movedProjections.AsSpan(0, members.Length);
            int l = 0, r = left;
            for (var i = 0; i < members.Length; i++)
            {
                var at = projected[i] < offset ? l++ : r++;
                toMembers[at] = members[i];
                toProjections[at] = projected[i];
            }
            toMembers.CopyTo(members);
            toProjections.CopyTo(projected);
            return left;
        }
    }
}
