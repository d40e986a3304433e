using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The repulsive field approximated by Barnes-Hut (van der Maaten 2014): the map is summarised once in a
/// space-partitioning tree, and each row walks it, summarising any cell that is small as seen from the row
/// (side &lt; theta * distance to its centre of mass) from its point count, centre of mass and second moments.
/// O(N log N) per iteration; theta = 0 opens every cell and reproduces the exact field.
/// </summary>
/// <remarks>
/// <para>
/// A summarised cell contributes its monopole (all points at the centre of mass, as in bhtsne and openTSNE) plus
/// the second-order (quadrupole) term of its points' spread. The monopole alone errs by O(theta^2), and always
/// the same way, since the kernel is convex in the far field: at theta = 0.5 on clustered maps, 1-1.5% of the
/// forces of a 1-D map (0.5-0.8% in 2-D and 3-D) and up to 0.8% of Z. The quadrupole term costs a few
/// multiplications per summarised cell and cuts these errors about tenfold, so theta near 0.8 is as accurate
/// as the monopole at 0.5, for less work.
/// </para>
/// <para>
/// The row's own point is excluded exactly: a cell that holds it is never summarised (it is opened, and its leaf
/// summed point by point skipping the row), so no theta can leak a self-interaction into the sums.
/// Evaluation only reads the tree, and each row's sums are taken in a fixed traversal order, so results are
/// bitwise identical whatever the sharding or thread count.
/// </para>
/// </remarks>
public sealed class BarnesHutRepulsionField : IRepulsionField
{
    // A popped node pushes at most 2^d - 1 more entries than it removes, once per level, plus the root.
    private const int StackCapacity = 1 + SpacePartitioningTree.MaxDepth * 7 + 8;

    private readonly SpacePartitioningTree _tree;
    private readonly StudentKernel _kernel;
    private readonly double _thetaSquared;

    /// <param name="map">Row-major N x <paramref name="dimensions"/> map coordinates, all finite.</param>
    /// <param name="dimensions">1, 2 or 3.</param>
    /// <param name="kernel">The output kernel (degrees of freedom must be positive).</param>
    /// <param name="theta">Opening angle; 0 is exact, 0.5 the usual trade-off, larger is faster and coarser.</param>
    public BarnesHutRepulsionField(float[] map, int dimensions, StudentKernel kernel, double theta = 0.5)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!(kernel.DegreesOfFreedom > 0) || double.IsPositiveInfinity(kernel.DegreesOfFreedom))
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel.DegreesOfFreedom, "The degrees of freedom must be positive and finite.");
        if (!(theta >= 0) || double.IsPositiveInfinity(theta))
            throw new ArgumentOutOfRangeException(nameof(theta), theta, "Theta must be non-negative and finite.");

        _tree = new SpacePartitioningTree(map, dimensions);
        _kernel = kernel;
        Theta = theta;
        _thetaSquared = theta * theta;
    }

    public int Dimensions => _tree.Dimensions;

    public double Theta { get; }

    /// <summary>Nodes in the tree; a diagnostic of how the map was partitioned.</summary>
    internal int NodeCount => _tree.NodeCount;

    public void Evaluate(int start, Span<float> forces, Span<double> z)
    {
        var rows = z.Length;
        if (forces.Length != rows * Dimensions)
            throw new ArgumentException($"Expected {rows * Dimensions} force components for {rows} rows, got {forces.Length}.", nameof(forces));
        if (start < 0 || start > _tree.PointCount - rows)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Rows {start}..{start + rows} are outside the map of {_tree.PointCount} rows.");

        // Specialised per dimension and kernel so the JIT drops the unused axes, and the Pow for Cauchy.
        switch (Dimensions, _kernel.IsCauchy)
        {
            case (1, true): EvaluateRows<One, Cauchy>(start, forces, z); break;
            case (1, false): EvaluateRows<One, General>(start, forces, z); break;
            case (2, true): EvaluateRows<Two, Cauchy>(start, forces, z); break;
            case (2, false): EvaluateRows<Two, General>(start, forces, z); break;
            case (3, true): EvaluateRows<Three, Cauchy>(start, forces, z); break;
            default: EvaluateRows<Three, General>(start, forces, z); break;
        }
    }

    private unsafe void EvaluateRows<TDim, TKernel>(int start, Span<float> forces, Span<double> z)
        where TDim : struct, IDimension
        where TKernel : struct, IKernel
    {
        var dims = TDim.Count;
        var a = _kernel.DegreesOfFreedom;
        // Derivatives of the kernel in u = d^2, with b = 1 + u/a, w = b^-a and g = w^((a+1)/a) = b^-(a+1):
        // w' = -g, w'' = c1 g / b, g' = -c1 g / b, g'' = c2 g / b^2.
        var c1 = (a + 1) / a;
        var c2 = (a + 1) * (a + 2) / (a * a);
        var thetaSquared = _thetaSquared;
        // The tree is sound by construction (every index it holds is in range), so the walk skips bounds checks.
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_tree.Nodes);
        ref var moments = ref MemoryMarshal.GetArrayDataReference(_tree.Moments);
        ref var positions = ref MemoryMarshal.GetArrayDataReference(_tree.Positions);
        var rank = _tree.Rank;
        var stack = stackalloc int[StackCapacity];

        for (var row = 0; row < z.Length; row++)
        {
            var self = rank[start + row];
            ref var own = ref Unsafe.Add(ref positions, self * dims);
            var xi = own;
            var yi = dims > 1 ? Unsafe.Add(ref own, 1) : 0;
            var zi = dims > 2 ? Unsafe.Add(ref own, 2) : 0;
            double fx = 0, fy = 0, fz = 0, sum = 0;

            // Only nodes that must be opened go on the stack: the root (it holds the row), cells holding the row,
            // and cells too close to summarise.
            var top = 0;
            stack[top++] = 0;
            while (top > 0)
            {
                ref var node = ref Unsafe.Add(ref nodes, stack[--top]);
                if (node.ChildCount == 0)
                {
                    if (node.Uniform)
                    {
                        // An opened uniform leaf holds the row itself (any other would have been summarised), so
                        // every other point in it coincides with the row: w(0) = 1 for any degrees of freedom,
                        // and the force, along y_i - y_j = 0, is zero.
                        sum += node.Count - 1;
                        continue;
                    }
                    var end = node.Begin + node.Count;
                    for (var slot = node.Begin; slot < end; slot++)
                    {
                        if (slot == self) continue;
                        ref var other = ref Unsafe.Add(ref positions, slot * dims);
                        var dx = xi - other;
                        var dy = dims > 1 ? yi - Unsafe.Add(ref other, 1) : 0;
                        var dz = dims > 2 ? zi - Unsafe.Add(ref other, 2) : 0;
                        var d2 = dx * dx;
                        if (dims > 1) d2 += dy * dy;
                        if (dims > 2) d2 += dz * dz;
                        TKernel.Weights(d2, a, out var w, out var g, out _);
                        sum += w;
                        fx += g * dx;
                        if (dims > 1) fy += g * dy;
                        if (dims > 2) fz += g * dz;
                    }
                    continue;
                }

                var last = node.FirstChild + node.ChildCount;
                for (var c = node.FirstChild; c < last; c++)
                {
                    ref var child = ref Unsafe.Add(ref nodes, c);
                    if ((uint)(self - child.Begin) < (uint)child.Count)
                    {
                        stack[top++] = c;
                        continue;
                    }
                    var dx = xi - child.X;
                    var dy = dims > 1 ? yi - child.Y : 0;
                    var dz = dims > 2 ? zi - child.Z : 0;
                    var d2 = dx * dx;
                    if (dims > 1) d2 += dy * dy;
                    if (dims > 2) d2 += dz * dz;
                    // A uniform cell (a single point, or duplicates) is exact as one weighted point at any distance.
                    if (!child.Uniform && !(child.SideSquared < thetaSquared * d2))
                    {
                        stack[top++] = c;
                        continue;
                    }

                    TKernel.Weights(d2, a, out var weight, out var force, out var inverseBase);
                    double n = child.Count;
                    if (child.Uniform)
                    {
                        sum += n * weight;
                        force *= n;
                        fx += force * dx;
                        if (dims > 1) fy += force * dy;
                        if (dims > 2) fz += force * dz;
                        continue;
                    }

                    // Second-order Taylor terms of the cell's points about its centre of mass c: with delta = y_i - c,
                    // M = sum_j (y_j - c)(y_j - c)^T, q = delta' M delta, t = tr M and v = M delta (first-order
                    // terms vanish about the centre of mass),
                    //   z += n w + w' t + 2 w'' q,   F += n g delta + g' (t delta + 2 v) + 2 g'' q delta.
                    ref var m = ref Unsafe.Add(ref moments, c);
                    var vx = m.Xx * dx;
                    double vy = 0, vz = 0;
                    if (dims > 1)
                    {
                        vx += m.Xy * dy;
                        vy = m.Xy * dx + m.Yy * dy;
                    }
                    if (dims > 2)
                    {
                        vx += m.Xz * dz;
                        vy += m.Yz * dz;
                        vz = m.Xz * dx + m.Yz * dy + m.Zz * dz;
                    }
                    var q = vx * dx;
                    var t = m.Xx;
                    if (dims > 1)
                    {
                        q += vy * dy;
                        t += m.Yy;
                    }
                    if (dims > 2)
                    {
                        q += vz * dz;
                        t += m.Zz;
                    }
                    var gOverB = force * inverseBase;
                    sum += n * weight - force * t + 2 * c1 * gOverB * q;
                    var radial = n * force - c1 * gOverB * t + 2 * c2 * gOverB * inverseBase * q;
                    var along = -2 * c1 * gOverB;
                    fx += radial * dx + along * vx;
                    if (dims > 1) fy += radial * dy + along * vy;
                    if (dims > 2) fz += radial * dz + along * vz;
                }
            }

            z[row] = sum;
            forces[row * dims] = (float)fx;
            if (dims > 1) forces[row * dims + 1] = (float)fy;
            if (dims > 2) forces[row * dims + 2] = (float)fz;
        }
    }

    private interface IDimension
    {
        static abstract int Count { get; }
    }

    private readonly struct One : IDimension
    {
        public static int Count => 1;
    }

    private readonly struct Two : IDimension
    {
        public static int Count => 2;
    }

    private readonly struct Three : IDimension
    {
        public static int Count => 3;
    }

    private interface IKernel
    {
        /// <summary>
        /// w = (1 + d^2/a)^-a and the force weight g = w^((a+1)/a), as <see cref="StudentKernel"/> defines them, and
        /// 1 / (1 + d^2/a), which turns g into the kernel's higher derivatives.
        /// </summary>
        static abstract void Weights(double squaredDistance, double degreesOfFreedom, out double weight, out double forceWeight, out double inverseBase);
    }

    private readonly struct Cauchy : IKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Weights(double squaredDistance, double degreesOfFreedom, out double weight, out double forceWeight, out double inverseBase)
        {
            weight = 1 / (1 + squaredDistance);
            forceWeight = weight * weight;
            inverseBase = weight;
        }
    }

    private readonly struct General : IKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Weights(double squaredDistance, double degreesOfFreedom, out double weight, out double forceWeight, out double inverseBase)
        {
            // (1 + d^2/a)^-(a+1) = w / (1 + d^2/a): one Pow per interaction instead of two.
            var b = 1 + squaredDistance / degreesOfFreedom;
            inverseBase = 1 / b;
            weight = Math.Pow(b, -degreesOfFreedom);
            forceWeight = weight * inverseBase;
        }
    }
}
