namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Exact nearest neighbours on a map of 1 to 3 dimensions: a k-d tree, split at the median of the widest
/// coordinate until 16 points remain. A query visits the side of each split it falls on first and the other side
/// only while that side could still hold a point as near as the k-th found, so it touches O(log N + k) leaves.
/// Ties break by the lower row, as everywhere else.
/// </summary>
public sealed class MapIndex
{
    private const int LeafSize = 16;

    private readonly float[] points;
    private readonly int[] order;
    private readonly List<Node> nodes = [];

    public MapIndex(float[] points, int dimensions)
    {
        if (dimensions < 1 || points.Length % dimensions != 0)
            throw new ArgumentException($"{points.Length} values are not rows of {dimensions}.", nameof(points));
        this.points = points;
        Dimensions = dimensions;
        Count = points.Length / dimensions;
        order = Enumerable.Range(0, Count).ToArray();
        if (Count > 0) Build(0, Count);
    }

    public int Dimensions { get; }

    public int Count { get; }

    public ReadOnlySpan<float> Point(int row) => points.AsSpan(row * Dimensions, Dimensions);

    /// <summary>
    /// The k nearest rows to <paramref name="query"/> with their Euclidean distances, nearest first, among the
    /// rows whose bit is set in <paramref name="allowed"/> (all rows when null), leaving out <paramref name="excluded"/>.
    /// </summary>
    public (float Distance, int Row)[] Nearest(ReadOnlySpan<float> query, int k, ulong[]? allowed = null, int excluded = -1)
    {
        if (query.Length != Dimensions) throw new ArgumentException($"{query.Length} values where the map has {Dimensions} dimensions.", nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var best = new TopK(k);
        if (Count > 0) Visit(0, query, ref best, allowed, excluded);
        var found = best.Sorted();
        for (var i = 0; i < found.Length; i++) found[i].Distance = MathF.Sqrt(found[i].Distance);
        return found;
    }

    private void Visit(int at, ReadOnlySpan<float> query, ref TopK best, ulong[]? allowed, int excluded)
    {
        var node = nodes[at];
        if (node.Left < 0)
        {
            for (var i = node.Start; i < node.End; i++)
            {
                var row = order[i];
                if (row == excluded || allowed is not null && (allowed[row >> 6] & (1UL << (row & 63))) == 0) continue;
                var point = points.AsSpan(row * Dimensions, Dimensions);
                var squared = 0f;
                for (var d = 0; d < point.Length; d++)
                {
                    var delta = point[d] - query[d];
                    squared += delta * delta;
                }
                best.Offer(squared, row);
            }
            return;
        }
        var gap = query[node.Dimension] - node.Split;
        Visit(gap < 0 ? node.Left : node.Right, query, ref best, allowed, excluded);
        // A point on the far side is at least |gap| away along the split coordinate.
        if (gap * gap <= best.WorstDistance) Visit(gap < 0 ? node.Right : node.Left, query, ref best, allowed, excluded);
    }

    private int Build(int start, int end)
    {
        var at = nodes.Count;
        nodes.Add(new Node(start, end, -1, 0, -1, -1));
        if (end - start <= LeafSize) return at;
        var dimension = WidestDimension(start, end);
        var middle = (start + end) / 2;
        Select(start, end - 1, middle, dimension);
        var split = points[order[middle] * Dimensions + dimension];
        var left = Build(start, middle);
        var right = Build(middle, end);
        nodes[at] = new Node(start, end, dimension, split, left, right);
        return at;
    }

    private int WidestDimension(int start, int end)
    {
        var (widest, spread) = (0, -1f);
        for (var d = 0; d < Dimensions; d++)
        {
            var (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
            for (var i = start; i < end; i++)
            {
                var value = points[order[i] * Dimensions + d];
                min = Math.Min(min, value);
                max = Math.Max(max, value);
            }
            if (max - min > spread) (widest, spread) = (d, max - min);
        }
        return widest;
    }

    /// <summary>Quickselect: puts the row with the nth smallest coordinate at n, smaller ones before it and larger ones after.</summary>
    private void Select(int low, int high, int n, int dimension)
    {
        while (low < high)
        {
            var pivot = Coordinate(order[(low + high) >>> 1], dimension);
            var (i, j) = (low, high);
            while (i <= j)
            {
                while (Coordinate(order[i], dimension) < pivot) i++;
                while (Coordinate(order[j], dimension) > pivot) j--;
                if (i <= j) (order[i], order[j], i, j) = (order[j], order[i], i + 1, j - 1);
            }
            if (n <= j) high = j;
            else if (n >= i) low = i;
            else return;
        }
    }

    private float Coordinate(int row, int dimension) => points[row * Dimensions + dimension];

    /// <summary>Rows order[Start..End); an inner node splits them at the median of one coordinate (Left &lt; 0: a leaf).</summary>
    private readonly record struct Node(int Start, int End, int Dimension, float Split, int Left, int Right);
}
