namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// A 2^d-ary space-partitioning tree over a 1-, 2- or 3-dimensional map (binary tree, quadtree, octree), stored
/// flat: one array of node structs in which the non-empty children of a node are contiguous, and the map rows
/// permuted so that every node owns one contiguous range of them. Contiguous ranges make "does this cell hold
/// row i" a single comparison and keep the points of a leaf adjacent in memory.
/// </summary>
/// <remarks>
/// Built top-down and serially by stable counting sorts, so the layout, and every sum taken over it, depends on
/// the map alone. Cells are cubes (equal sides), halved at every level.
/// </remarks>
internal sealed class SpacePartitioningTree
{
    /// <summary>
    /// Deepest level split. Float coordinates run out of distinct values long before this for any sensible
    /// extent; the cap only matters for near-duplicates, which end up sharing one (exactly summed) leaf rather
    /// than recursing without end.
    /// </summary>
    internal const int MaxDepth = 32;

    /// <summary>
    /// Points a leaf may hold before it is split. A few points per leaf cost little when the leaf has to be
    /// opened (they are summed exactly, and adjacent in memory) and save many small nodes.
    /// </summary>
    internal const int LeafCapacity = 8;

    /// <summary>What the traversal reads for every node it looks at; kept small so more of the tree stays in cache.</summary>
    internal struct Node
    {
        /// <summary>Centre of mass; Y and Z are 0 when the map has fewer dimensions.</summary>
        public double X, Y, Z;

        /// <summary>Squared side of the cubic cell, the size the Barnes-Hut criterion compares.</summary>
        public double SideSquared;

        /// <summary>First slot of the node's points in <see cref="Positions"/>.</summary>
        public int Begin;

        public int Count;

        /// <summary>Index of the first child; the non-empty children follow it.</summary>
        public int FirstChild;

        /// <summary>Non-empty children; 0 for a leaf.</summary>
        public int ChildCount;

        /// <summary>
        /// All the node's points are identical (always so for a single point): its centre of mass is exact for every
        /// one of them, its moments are zero, and it is never split.
        /// </summary>
        public bool Uniform;
    }

    /// <summary>
    /// Second moments of a node's points about its centre of mass, summed (not averaged) over the points:
    /// sum_j (y_j - c)(y_j - c)^T, upper triangle. Read only for cells summarised as a whole, hence apart from
    /// <see cref="Node"/>.
    /// </summary>
    internal struct SecondMoments
    {
        public double Xx, Yy, Zz, Xy, Xz, Yz;
    }

    // Build-time state: the map in original row order as doubles, the permutation being sorted, and its scratch.
    private readonly double[] _coordinates;
    private readonly int[] _order;
    private readonly int[] _scratch;
    private readonly byte[] _codes;
    private Node[] _nodes;
    private SecondMoments[] _moments;
    private int _nodeCount;

    public SpacePartitioningTree(ReadOnlySpan<float> map, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 3);
        if (map.Length % dimensions != 0)
            throw new ArgumentException($"The map length {map.Length} is not a multiple of {dimensions} dimensions.", nameof(map));

        Dimensions = dimensions;
        PointCount = map.Length / dimensions;
        var n = PointCount;

        _coordinates = new double[map.Length];
        Span<double> min = stackalloc double[3];
        Span<double> max = stackalloc double[3];
        min.Fill(double.PositiveInfinity);
        max.Fill(double.NegativeInfinity);
        for (var i = 0; i < map.Length; i++)
        {
            double x = map[i];
            // A NaN would satisfy no comparison and an infinity would make every cell infinite: either way the
            // tree, and every force computed from it, would be meaningless.
            if (!double.IsFinite(x))
                throw new ArgumentException($"The map holds a non-finite coordinate at index {i}.", nameof(map));
            _coordinates[i] = x;
            var d = i % dimensions;
            if (x < min[d]) min[d] = x;
            if (x > max[d]) max[d] = x;
        }

        _order = new int[n];
        for (var i = 0; i < n; i++) _order[i] = i;
        _scratch = new int[n];
        _codes = new byte[n];
        var capacity = Math.Max(16, 2 * n / LeafCapacity * (1 << dimensions) / 2);
        _nodes = new Node[capacity];
        _moments = new SecondMoments[capacity];
        _nodeCount = 1;
        _nodes[0] = new Node { Begin = 0, Count = n, Uniform = true };

        if (n > 0)
        {
            double side = 0;
            Span<double> centre = stackalloc double[3];
            centre.Clear();
            for (var d = 0; d < dimensions; d++)
            {
                side = Math.Max(side, max[d] - min[d]);
                centre[d] = 0.5 * (min[d] + max[d]);
            }
            _nodes[0].SideSquared = side * side;
            Split(0, centre, side, 0);
        }

        Positions = new double[map.Length];
        Rank = new int[n];
        for (var slot = 0; slot < n; slot++)
        {
            var row = _order[slot];
            Rank[row] = slot;
            Array.Copy(_coordinates, row * dimensions, Positions, slot * dimensions, dimensions);
        }

        // The tree lives for a whole iteration; the build state need not.
        _coordinates = [];
        _order = [];
        _scratch = [];
        _codes = [];
    }

    public int Dimensions { get; }

    public int PointCount { get; }

    /// <summary>The nodes, root first; only the first <see cref="NodeCount"/> are in use.</summary>
    public Node[] Nodes => _nodes;

    /// <summary>Second moments, parallel to <see cref="Nodes"/>.</summary>
    public SecondMoments[] Moments => _moments;

    public int NodeCount => _nodeCount;

    /// <summary>Map rows in tree order, row-major.</summary>
    public double[] Positions { get; }

    /// <summary>For each original map row, its slot in <see cref="Positions"/>.</summary>
    public int[] Rank { get; }

    /// <summary>
    /// Summarises the node (whose Begin and Count are set) and, unless it is to stay a leaf, partitions its points
    /// among the 2^d sub-cells and recurses into the non-empty ones.
    /// </summary>
    private void Split(int index, ReadOnlySpan<double> centre, double side, int depth)
    {
        var dims = Dimensions;
        var begin = _nodes[index].Begin;
        var count = _nodes[index].Count;

        Span<double> sum = stackalloc double[3];
        Span<double> min = stackalloc double[3];
        Span<double> max = stackalloc double[3];
        Span<int> childCounts = stackalloc int[8];
        sum.Clear();
        min.Fill(double.PositiveInfinity);
        max.Fill(double.NegativeInfinity);
        childCounts.Clear();

        for (var slot = begin; slot < begin + count; slot++)
        {
            var offset = _order[slot] * dims;
            var code = 0;
            for (var d = 0; d < dims; d++)
            {
                var x = _coordinates[offset + d];
                sum[d] += x;
                if (x < min[d]) min[d] = x;
                if (x > max[d]) max[d] = x;
                if (x >= centre[d]) code |= 1 << d;
            }
            _codes[slot] = (byte)code;
            childCounts[code]++;
        }

        var uniform = true;
        for (var d = 0; d < dims; d++) uniform &= min[d] == max[d];

        ref var node = ref _nodes[index];
        // A uniform node's centre is its points' common position exactly, not a rounded mean.
        node.X = uniform ? min[0] : sum[0] / count;
        node.Y = dims > 1 ? (uniform ? min[1] : sum[1] / count) : 0;
        node.Z = dims > 2 ? (uniform ? min[2] : sum[2] / count) : 0;
        node.Uniform = uniform;
        // Identical points can never be separated, however deep the tree goes: keep them in one leaf, which the
        // traversal treats as one weighted point.
        if (uniform) return;
        if (count <= LeafCapacity || depth >= MaxDepth)
        {
            LeafMoments(index);
            return;
        }

        // Stable counting sort of the node's range by sub-cell, so the permutation depends on the map alone.
        Span<int> childStarts = stackalloc int[8];
        var children = 1 << dims;
        var running = 0;
        var nonEmpty = 0;
        for (var c = 0; c < children; c++)
        {
            childStarts[c] = running;
            running += childCounts[c];
            if (childCounts[c] > 0) nonEmpty++;
        }
        Span<int> cursor = stackalloc int[8];
        childStarts.CopyTo(cursor);
        for (var slot = begin; slot < begin + count; slot++)
            _scratch[begin + cursor[_codes[slot]]++] = _order[slot];
        Array.Copy(_scratch, begin, _order, begin, count);

        var first = _nodeCount;
        if (first + nonEmpty > _nodes.Length)
        {
            var grown = Math.Max(2 * _nodes.Length, first + nonEmpty);
            Array.Resize(ref _nodes, grown);
            Array.Resize(ref _moments, grown);
        }
        _nodeCount += nonEmpty;
        // `node` may point into the array just replaced, so the parent is written through its index from here on.
        _nodes[index].FirstChild = first;
        _nodes[index].ChildCount = nonEmpty;

        var half = 0.5 * side;
        var next = first;
        for (var c = 0; c < children; c++)
        {
            if (childCounts[c] == 0) continue;
            _nodes[next++] = new Node { Begin = begin + childStarts[c], Count = childCounts[c], SideSquared = half * half };
        }

        Span<double> childCentre = stackalloc double[3];
        childCentre.Clear();
        next = first;
        for (var c = 0; c < children; c++)
        {
            if (childCounts[c] == 0) continue;
            for (var d = 0; d < dims; d++)
                childCentre[d] = centre[d] + ((c >> d & 1) == 1 ? 0.25 : -0.25) * side;
            Split(next++, childCentre, half, depth + 1);
        }

        // Parallel-axis theorem: the children's moments about their own centres, shifted to the parent's. Exact,
        // and cheaper than another pass over the points.
        var parent = _nodes[index];
        ref var moments = ref _moments[index];
        for (var c = first; c < first + nonEmpty; c++)
        {
            ref readonly var child = ref _nodes[c];
            ref readonly var childMoments = ref _moments[c];
            double dx = child.X - parent.X, dy = child.Y - parent.Y, dz = child.Z - parent.Z;
            moments.Xx += childMoments.Xx + child.Count * dx * dx;
            moments.Yy += childMoments.Yy + child.Count * dy * dy;
            moments.Zz += childMoments.Zz + child.Count * dz * dz;
            moments.Xy += childMoments.Xy + child.Count * dx * dy;
            moments.Xz += childMoments.Xz + child.Count * dx * dz;
            moments.Yz += childMoments.Yz + child.Count * dy * dz;
        }
    }

    /// <summary>Second moments of a leaf, taken about its (already computed) centre of mass.</summary>
    private void LeafMoments(int index)
    {
        var dims = Dimensions;
        ref readonly var node = ref _nodes[index];
        ref var moments = ref _moments[index];
        for (var slot = node.Begin; slot < node.Begin + node.Count; slot++)
        {
            var offset = _order[slot] * dims;
            var dx = _coordinates[offset] - node.X;
            var dy = dims > 1 ? _coordinates[offset + 1] - node.Y : 0;
            var dz = dims > 2 ? _coordinates[offset + 2] - node.Z : 0;
            moments.Xx += dx * dx;
            moments.Yy += dy * dy;
            moments.Zz += dz * dz;
            moments.Xy += dx * dy;
            moments.Xz += dx * dz;
            moments.Yz += dy * dz;
        }
    }
}
