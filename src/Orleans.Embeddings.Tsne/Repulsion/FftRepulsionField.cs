using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Orleans.Embeddings.Tsne.Fourier;
using Orleans.Embeddings.Tsne.Optimization;

namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The repulsive field by FFT-accelerated interpolation (FIt-SNE; Linderman et al., Nature Methods 2019), for 1-D
/// and 2-D maps. Each point spreads the charges 1, u and |u|^2 (u = y - the map's midpoint) onto the Lagrange nodes of its
/// box; the nodes form an equispaced grid, so the kernel sums between nodes are a convolution, done by FFT; each row
/// then interpolates its potentials back from the nodes of its box.
/// <para>
/// Only one kernel is needed for any degrees of freedom a: with K = w^((a+1)/a) the force kernel,
/// w = K (1 + d^2 / a), so z_i + 1 = sum_j K_ij (1 + |u_i - u_j|^2 / a) expands into the potentials of the same three
/// charge kinds, and force_i = u_i sum_j K_ij - sum_j K_ij u_j. Both identities hold exactly for the interpolated
/// kernel, so the interpolation error is not amplified by the cancellation; only rounding is, which is why the
/// charges use coordinates relative to the map's midpoint. The FFTs run in single precision (the interpolation error
/// of the default grid, a few parts in a thousand, dominates their rounding); the spreading weights and the
/// evaluation are computed in double.
/// </para>
/// <para>
/// <see cref="Build"/> does all O(N) and grid work; <see cref="Evaluate"/> costs O(p^D) per row, reads only the map
/// and the <see cref="FftPotentialGrid"/>, and is safe to call concurrently. Results do not depend on the thread count:
/// spreading assigns each node to one fixed worker that adds its points in row order, and every FFT block is
/// computed independently.
/// </para>
/// </summary>
public sealed class FftRepulsionField : IRepulsionField
{
    private const int MaxPointsPerBox = 16;
    private const int PointChunk = 8192;
    private const int OneDimensionalMinimumBoxes = 512;

    // The grid work buffers are large (megabytes); keep one of each for the next iteration.
    private static GridConvolution2D? s_convolution2D;
    private static GridConvolution1D? s_convolution1D;

    private readonly float[] _potentials;
    private readonly float[] _map;
    private readonly int _dimensions;
    private readonly int _rows;
    private readonly int _nodes;
    private readonly int _pointsPerBox;
    private readonly int _boxes;
    private readonly double _inverseBoxWidth;
    private readonly double _inverseDegreesOfFreedom;
    private readonly double[] _origin;
    private readonly double[] _center;
    private readonly double[] _nodeOffsets;
    private readonly double[] _inverseDenominators;

    /// <summary>Wraps a grid built elsewhere (from the same map) for evaluation.</summary>
    public FftRepulsionField(FftPotentialGrid grid, float[] map, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(map);
        ValidateDimensions(dimensions);
        if (grid.Dimensions != dimensions)
            throw new ArgumentException($"The grid is {grid.Dimensions}-D but the map is {dimensions}-D.", nameof(grid));
        if (map.Length % dimensions != 0)
            throw new ArgumentException("The map length is not a multiple of the dimensions.", nameof(map));
        if (grid.PointsPerBox is < 1 or > MaxPointsPerBox || grid.BoxesPerDimension < 1 || !(grid.BoxWidth > 0)
            || !double.IsFinite(grid.BoxWidth) || grid.Origin is null || grid.Origin.Length != dimensions
            || !(grid.DegreesOfFreedom > 0))
            throw new ArgumentException("The grid geometry is invalid.", nameof(grid));
        var nodes = grid.NodesPerDimension;
        var expected = (long)grid.ChargeCount * (dimensions == 1 ? nodes : (long)nodes * nodes);
        if (grid.Potentials is null || grid.Potentials.Length != expected)
            throw new ArgumentException("The potentials do not match the grid geometry.", nameof(grid));

        _potentials = grid.Potentials;
        _map = map;
        _dimensions = dimensions;
        _rows = map.Length / dimensions;
        _nodes = nodes;
        _pointsPerBox = grid.PointsPerBox;
        _boxes = grid.BoxesPerDimension;
        _inverseBoxWidth = 1 / grid.BoxWidth;
        _inverseDegreesOfFreedom = 1 / grid.DegreesOfFreedom;
        _origin = [.. grid.Origin];
        _center = new double[dimensions];
        for (var d = 0; d < dimensions; d++) _center[d] = grid.Center(d);
        (_nodeOffsets, _inverseDenominators) = LagrangeNodes(_pointsPerBox);
    }

    public int Dimensions => _dimensions;

    /// <summary>Spreads every point of <paramref name="map"/> onto the grid, convolves, and wraps the result.</summary>
    /// <param name="map">Row-major coordinates, N rows of <paramref name="dimensions"/>.</param>
    /// <param name="dimensions">1 or 2.</param>
    /// <param name="kernel">The output kernel (degrees of freedom).</param>
    /// <param name="options">Grid resolution; <see cref="FftInterpolationOptions.Default"/> when null.</param>
    /// <param name="recycle">
    /// Optionally, the grid of an earlier iteration that nobody will evaluate again: its potentials array is reused
    /// when the size matches, which saves a large-object allocation (megabytes) per iteration.
    /// </param>
    /// <param name="parallel">Threads for the build; the grid is the same for any number.</param>
    public static FftRepulsionField Build(
        float[] map, int dimensions, StudentKernel kernel, FftInterpolationOptions? options = null,
        FftPotentialGrid? recycle = null, ParallelOptions? parallel = null) =>
        new(BuildGrid(map, dimensions, kernel, options, recycle, parallel), map, dimensions);

    /// <summary>The grid of <see cref="Build"/> alone, planned from the map's own bounds.</summary>
    public static FftPotentialGrid BuildGrid(
        float[] map, int dimensions, StudentKernel kernel, FftInterpolationOptions? options = null,
        FftPotentialGrid? recycle = null, ParallelOptions? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ValidateDimensions(dimensions);
        if (map.Length % dimensions != 0)
            throw new ArgumentException("The map length is not a multiple of the dimensions.", nameof(map));
        return BuildGrid(map, PlanGrid(MapBounds.Of(map, dimensions), options), kernel, recycle, parallel);
    }

    /// <summary>
    /// The interpolation grid for a map within <paramref name="bounds"/>, which the coordinator of a run reduces from
    /// the shards' bounding boxes, so that every copy of the map builds its field on the same grid.
    /// </summary>
    public static FftGridGeometry PlanGrid(MapBounds bounds, FftInterpolationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        var dimensions = bounds.Dimensions;
        ValidateDimensions(dimensions);
        options ??= FftInterpolationOptions.Default;
        if (options.InterpolationPointsPerBox is < 1 or > MaxPointsPerBox)
            throw new ArgumentOutOfRangeException(nameof(options), options.InterpolationPointsPerBox,
                $"InterpolationPointsPerBox must be between 1 and {MaxPointsPerBox}.");
        if (options.MinBoxesPerDimension < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MinBoxesPerDimension,
                "MinBoxesPerDimension must be positive.");
        if (options.MaxBoxesPerDimension < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBoxesPerDimension,
                "MaxBoxesPerDimension must be positive.");
        if (!(options.BoxesPerUnitLength > 0) || !double.IsFinite(options.BoxesPerUnitLength))
            throw new ArgumentOutOfRangeException(nameof(options), options.BoxesPerUnitLength,
                "BoxesPerUnitLength must be positive and finite.");
        var p = options.InterpolationPointsPerBox;

        // A square grid (one box width for all dimensions) keeps the node spacing isotropic, so one radial kernel
        // table serves every axis. Each dimension is centred on its own range.
        double extent = 0;
        for (var d = 0; d < dimensions; d++) extent = Math.Max(extent, bounds.High[d] - bounds.Low[d]);
        // All points in one place (or none): any positive extent gives the right answer (z = N - 1, no force).
        if (!(extent > 1e-6)) extent = 1e-6;

        var requestedBoxes = Math.Max(options.MinBoxesPerDimension,
            (int)Math.Min(1 << 20, Math.Ceiling(extent * options.BoxesPerUnitLength)));
        // A line of nodes costs a few lane transforms, nothing next to the O(N) spreading and evaluation, so 1-D
        // maps get a finer grid than the 2-D defaults: the error falls with the cube of the box width.
        if (dimensions == 1) requestedBoxes = Math.Max(requestedBoxes, OneDimensionalMinimumBoxes);
        requestedBoxes = Math.Min(requestedBoxes, options.MaxBoxesPerDimension);
        // Linear (not circular) convolution of n nodes needs a circulant of at least 2n - 1; take an FFT length
        // (2^k or 3 * 2^k) of at least 2n, then grow the box count to fill it: finer interpolation for free, and the
        // upper half of every transform input is zero padding, which the FFT skips.
        var length = FftPlan.SmallestAtLeast(2L * requestedBoxes * p, dimensions == 2 ? 2 * LaneFft.Lanes : 4);
        var boxes = length / 2 / p;
        // Each dimension's midpoint sits at the centre of a box, so a dimension with no spread (points on a line, or
        // all in one place) is interpolated at a box's middle rather than extrapolated at its edge. With an even box
        // count that costs one box of reach, hence the width extent / (boxes - 1).
        var boxWidth = extent / (boxes % 2 == 0 ? boxes - 1 : boxes);
        var origin = new double[dimensions];
        for (var d = 0; d < dimensions; d++) origin[d] = 0.5 * (bounds.Low[d] + bounds.High[d]) - (boxes / 2 + 0.5) * boxWidth;
        return new FftGridGeometry(dimensions, boxes, p, boxWidth, origin, length, extent);
    }

    /// <summary>
    /// Spreads every point of <paramref name="map"/> onto a planned grid (<see cref="PlanGrid"/>; every point must lie
    /// within the bounds it was planned for) and convolves the charges with the kernel.
    /// </summary>
    public static FftPotentialGrid BuildGrid(
        float[] map, FftGridGeometry geometry, StudentKernel kernel, FftPotentialGrid? recycle = null, ParallelOptions? parallel = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(geometry);
        parallel ??= new ParallelOptions();
        var dof = kernel.DegreesOfFreedom;
        if (!(dof > 0) || !double.IsFinite(dof))
            throw new ArgumentOutOfRangeException(nameof(kernel), dof, "The degrees of freedom must be positive.");

        var nodes = geometry.NodesPerDimension;
        var length = geometry.FftLength;
        // Every element is written by the convolution, so neither a recycled nor a fresh array needs clearing.
        var size = geometry.GridLength;
        var potentials = recycle?.Potentials is { } old && old.Length == size
            ? old
            : GC.AllocateUninitializedArray<float>(size);
        var grid = geometry.WithPotentials(dof, potentials);
        var spacing = geometry.BoxWidth / geometry.PointsPerBox;
        if (geometry.Dimensions == 2)
        {
            var convolution = Interlocked.Exchange(ref s_convolution2D, null);
            if (convolution is null || convolution.Nodes != nodes || convolution.Length != length)
                convolution = new GridConvolution2D(nodes, length);
            // Charges 1, u0, u1, |u|^2 travel as the pairs (1, u0) and (u1, |u|^2); |u| is up to about half the
            // extent, so scaling 1 up and |u|^2 down by that gives both pairs comparable magnitudes.
            var radius = (float)Math.Max(1, 0.5 * geometry.Extent);
            convolution.ChargeScales[0] = radius;
            convolution.ChargeScales[3] = 1 / radius;
            FillKernel2D(convolution, spacing, kernel, parallel);
            Spread2D(map, geometry, convolution.ChargesArray, parallel);
            convolution.Convolve(potentials, parallel);
            s_convolution2D = convolution;
        }
        else
        {
            var convolution = Interlocked.Exchange(ref s_convolution1D, null);
            if (convolution is null || convolution.Nodes != nodes || convolution.Length != length)
                convolution = new GridConvolution1D(nodes, length);
            FillKernel1D(convolution.KernelTable, spacing, kernel);
            Spread1D(map, geometry, convolution.Charges);
            convolution.Convolve(potentials);
            s_convolution1D = convolution;
        }
        return grid;
    }

    public void Evaluate(int start, Span<float> forces, Span<double> z)
    {
        var count = z.Length;
        if (forces.Length != count * _dimensions)
            throw new ArgumentException("Forces must hold Dimensions values per row of z.", nameof(forces));
        if (start < 0 || start > _rows - count)
            throw new ArgumentOutOfRangeException(nameof(start), start, "The rows are outside the map.");
        if (_dimensions == 2) Evaluate2D(start, forces, z);
        else Evaluate1D(start, forces, z);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Evaluate2D(int start, Span<float> forces, Span<double> z)
    {
        var p = _pointsPerBox;
        var nodes = _nodes;
        var origin0 = _origin[0];
        var origin1 = _origin[1];
        var center0 = _center[0];
        var center1 = _center[1];
        var w0 = stackalloc double[p];
        var w1 = stackalloc double[p];
        fixed (float* potentials = _potentials, map = _map, force = forces)
        fixed (double* nodeOffsets = _nodeOffsets, inverseDenominators = _inverseDenominators, zs = z)
        {
            var point = map + 2 * start;
            for (var row = 0; row < z.Length; row++, point += 2)
            {
                var y0 = point[0];
                var y1 = point[1];
                var b0 = Locate(y0, origin0, p, nodeOffsets, inverseDenominators, w0);
                var b1 = Locate(y1, origin1, p, nodeOffsets, inverseDenominators, w1);
                var node = potentials + ((long)b0 * p * nodes + b1 * p) * 4;
                double phi0, phi1, phi2, phi3;
                if (Avx.IsSupported)
                {
                    // The four potentials of a node are one 128-bit load, widened to doubles for the sum.
                    var sum = Vector256<double>.Zero;
                    for (var k0 = 0; k0 < p; k0++, node += nodes * 4)
                    {
                        var inner = Vector256<double>.Zero;
                        for (var k1 = 0; k1 < p; k1++)
                            inner += Avx.ConvertToVector256Double(Vector128.Load(node + 4 * k1)) * Vector256.Create(w1[k1]);
                        sum += inner * Vector256.Create(w0[k0]);
                    }
                    phi0 = sum.GetElement(0);
                    phi1 = sum.GetElement(1);
                    phi2 = sum.GetElement(2);
                    phi3 = sum.GetElement(3);
                }
                else
                {
                    phi0 = phi1 = phi2 = phi3 = 0;
                    for (var k0 = 0; k0 < p; k0++, node += nodes * 4)
                    {
                        for (var k1 = 0; k1 < p; k1++)
                        {
                            var w = w0[k0] * w1[k1];
                            var at = node + 4 * k1;
                            phi0 += w * at[0];
                            phi1 += w * at[1];
                            phi2 += w * at[2];
                            phi3 += w * at[3];
                        }
                    }
                }
                // The same single-precision relative coordinates the charges were spread with.
                double u0 = (float)(y0 - center0);
                double u1 = (float)(y1 - center1);
                force[2 * row] = (float)(u0 * phi0 - phi1);
                force[2 * row + 1] = (float)(u1 * phi0 - phi2);
                // sum_j K (1 + |u_i - u_j|^2 / a) over all j, less the self term w_ii = 1.
                zs[row] = phi0 + ((u0 * u0 + u1 * u1) * phi0 - 2 * (u0 * phi1 + u1 * phi2) + phi3) * _inverseDegreesOfFreedom - 1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Evaluate1D(int start, Span<float> forces, Span<double> z)
    {
        var p = _pointsPerBox;
        var origin = _origin[0];
        var center = _center[0];
        var w = stackalloc double[p];
        fixed (float* potentials = _potentials, map = _map)
        fixed (double* nodeOffsets = _nodeOffsets, inverseDenominators = _inverseDenominators)
        {
            for (var row = 0; row < z.Length; row++)
            {
                var y = map[start + row];
                var b = Locate(y, origin, p, nodeOffsets, inverseDenominators, w);
                double phi0 = 0, phi1 = 0, phi2 = 0;
                var at = potentials + (long)b * p * 3;
                for (var k = 0; k < p; k++, at += 3)
                {
                    phi0 += w[k] * at[0];
                    phi1 += w[k] * at[1];
                    phi2 += w[k] * at[2];
                }
                double u = (float)(y - center);
                forces[row] = (float)(u * phi0 - phi1);
                z[row] = phi0 + (u * u * phi0 - 2 * u * phi1 + phi2) * _inverseDegreesOfFreedom - 1;
            }
        }
    }

    // Box of a coordinate and the Lagrange weights of its nodes.
    private unsafe int Locate(
        double y, double origin, int p, double* nodeOffsets, double* inverseDenominators, double* weights)
    {
        var t = (y - origin) * _inverseBoxWidth;
        // The maximum lands exactly on the far edge; it belongs to the last box.
        var box = Math.Clamp((int)Math.Floor(t), 0, _boxes - 1);
        LagrangeWeights(t - box, p, nodeOffsets, inverseDenominators, weights);
        return box;
    }

    private static unsafe void LagrangeWeights(double f, int p, double* nodes, double* inverseDenominators, double* weights)
    {
        if (p == 3)
        {
            var d0 = f - nodes[0];
            var d1 = f - nodes[1];
            var d2 = f - nodes[2];
            weights[0] = inverseDenominators[0] * d1 * d2;
            weights[1] = inverseDenominators[1] * d0 * d2;
            weights[2] = inverseDenominators[2] * d0 * d1;
            return;
        }
        for (var k = 0; k < p; k++)
        {
            var product = inverseDenominators[k];
            for (var m = 0; m < p; m++)
                if (m != k) product *= f - nodes[m];
            weights[k] = product;
        }
    }

    private static (double[] Nodes, double[] InverseDenominators) LagrangeNodes(int p)
    {
        var nodes = new double[p];
        for (var k = 0; k < p; k++) nodes[k] = (k + 0.5) / p;
        var inverse = new double[p];
        for (var k = 0; k < p; k++)
        {
            double denominator = 1;
            for (var m = 0; m < p; m++)
                if (m != k) denominator *= nodes[k] - nodes[m];
            inverse[k] = 1 / denominator;
        }
        return (nodes, inverse);
    }

    // Per-dimension minimum and maximum; false if any coordinate is not finite. Vectorised over the interleaved
    // rows: with an even vector width, lane l always holds dimension l mod D.
    internal static bool Bounds(ReadOnlySpan<float> map, int dimensions, Span<double> low, Span<double> high)
    {
        var count = Vector<float>.Count;
        var min = new Vector<float>(float.PositiveInfinity);
        var max = new Vector<float>(float.NegativeInfinity);
        var finite = Vector<float>.AllBitsSet;
        var k = 0;
        if (count % dimensions == 0)
        {
            for (; k + count <= map.Length; k += count)
            {
                var v = new Vector<float>(map.Slice(k));
                min = Vector.Min(min, v);
                max = Vector.Max(max, v);
                // x - x is zero for finite x and NaN for NaN and infinities.
                finite &= Vector.AsVectorSingle(Vector.Equals(v - v, Vector<float>.Zero));
            }
        }
        low.Fill(double.PositiveInfinity);
        high.Fill(double.NegativeInfinity);
        for (var lane = 0; lane < count && k > 0; lane++)
        {
            var d = lane % dimensions;
            low[d] = Math.Min(low[d], min[lane]);
            high[d] = Math.Max(high[d], max[lane]);
        }
        var allFinite = Vector.EqualsAll(Vector.AsVectorInt32(finite), new Vector<int>(-1));
        for (; k < map.Length; k++)
        {
            var y = map[k];
            allFinite &= float.IsFinite(y);
            var d = k % dimensions;
            low[d] = Math.Min(low[d], y);
            high[d] = Math.Max(high[d], y);
        }
        if (map.Length == 0)
        {
            low.Clear();
            high.Clear();
        }
        return allFinite;
    }

    private static void ValidateDimensions(int dimensions)
    {
        if (dimensions is < 1 or > 2)
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions,
                "The FFT repulsion field supports 1-D and 2-D maps only.");
    }

    // K(d) = w^((a+1)/a) = (1 + d^2/a)^-(a+1) at node lag (l0, l1), d^2 = spacing^2 (l0^2 + l1^2).
    private static void FillKernel2D(GridConvolution2D convolution, double spacing, StudentKernel kernel, ParallelOptions parallel)
    {
        var nodes = convolution.Nodes;
        var stride = convolution.KernelTableStride;
        var squares = ArrayPool<float>.Shared.Rent(nodes);
        try
        {
            for (var l = 0; l < nodes; l++) squares[l] = (float)(spacing * spacing * l * l);
            Parallel.For(0, (nodes + 63) / 64, parallel, chunk =>
            {
                var table = convolution.KernelTable;
                var last = Math.Min(nodes, (chunk + 1) * 64);
                for (var l0 = chunk * 64; l0 < last; l0++)
                {
                    var row = table.Slice(l0 * stride, nodes);
                    TensorPrimitives.Add(new ReadOnlySpan<float>(squares, 0, nodes), squares[l0], row);
                    ApplyKernel(row, kernel);
                }
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(squares);
        }
    }

    private static void FillKernel1D(Span<float> table, double spacing, StudentKernel kernel)
    {
        for (var l = 0; l < table.Length; l++) table[l] = (float)(spacing * spacing * l * l);
        ApplyKernel(table, kernel);
    }

    // Squared distances in, force-kernel values out, vectorised.
    private static void ApplyKernel(Span<float> values, StudentKernel kernel)
    {
        if (kernel.IsCauchy)
        {
            TensorPrimitives.Add(values, 1f, values);
            TensorPrimitives.Reciprocal(values, values);
            TensorPrimitives.Multiply(values, values, values);
            return;
        }
        var a = kernel.DegreesOfFreedom;
        TensorPrimitives.Multiply(values, (float)(1 / a), values);
        TensorPrimitives.Add(values, 1f, values);
        TensorPrimitives.Log(values, values);
        TensorPrimitives.Multiply(values, (float)-(a + 1), values);
        TensorPrimitives.Exp(values, values);
    }

    // Spreads onto [node0 * nodes + node1] * 4 + charge. Every node belongs to exactly one box, so the points are
    // bucketed by box (a stable counting sort) and each box sums its p x p nodes in registers and writes them once:
    // no read-modify-write chains through memory, no clearing, and every node adds its points in row order whatever
    // the number of threads (fixed strips of box rows run in parallel).
    private static void Spread2D(float[] map, FftGridGeometry grid, float[] charges, ParallelOptions parallel)
    {
        var rows = map.Length / 2;
        var p = grid.PointsPerBox;
        var boxes = grid.BoxesPerDimension;
        var buckets = boxes * boxes;
        var box = ArrayPool<int>.Shared.Rent(rows);
        var weights = ArrayPool<float>.Shared.Rent(2 * p * rows);
        var order = ArrayPool<int>.Shared.Rent(rows);
        var starts = ArrayPool<int>.Shared.Rent(buckets + 1);
        try
        {
            Parallel.For(0, (rows + PointChunk - 1) / PointChunk, parallel,
                chunk => LocatePoints(map, grid, chunk * PointChunk, Math.Min(rows, (chunk + 1) * PointChunk), box, weights));

            Array.Clear(starts, 0, buckets + 1);
            for (var i = 0; i < rows; i++) starts[box[i] + 1]++;
            for (var b = 0; b < buckets; b++) starts[b + 1] += starts[b];
            // Filling from the bucket starts, shifted back afterwards, keeps rows in increasing order per bucket.
            for (var i = 0; i < rows; i++) order[starts[box[i]]++] = i;
            for (var b = buckets; b > 0; b--) starts[b] = starts[b - 1];
            starts[0] = 0;

            var strips = Math.Min(boxes, 4 * Environment.ProcessorCount);
            Parallel.For(0, strips, parallel, strip => SpreadStrip(
                map, grid, charges, (int)((long)strip * boxes / strips), (int)((long)(strip + 1) * boxes / strips),
                weights, order, starts));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(box);
            ArrayPool<float>.Shared.Return(weights);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(starts);
        }
    }

    // Box (b0 * boxes + b1) and Lagrange weights (p for each axis) of the rows [first, end).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LocatePoints(float[] map, FftGridGeometry grid, int first, int end, int[] box, float[] weights)
    {
        var p = grid.PointsPerBox;
        var boxes = grid.BoxesPerDimension;
        var inverseWidth = 1 / grid.BoxWidth;
        var origin0 = grid.Origin[0];
        var origin1 = grid.Origin[1];
        var (nodeOffsets, inverseDenominators) = LagrangeNodes(p);
        var w = stackalloc double[2 * p];
        fixed (double* nodes = nodeOffsets, inverse = inverseDenominators)
        fixed (float* y = map, target = weights)
        {
            for (var i = first; i < end; i++)
            {
                var t0 = (y[2 * i] - origin0) * inverseWidth;
                var t1 = (y[2 * i + 1] - origin1) * inverseWidth;
                var b0 = Math.Clamp((int)Math.Floor(t0), 0, boxes - 1);
                var b1 = Math.Clamp((int)Math.Floor(t1), 0, boxes - 1);
                box[i] = b0 * boxes + b1;
                LagrangeWeights(t0 - b0, p, nodes, inverse, w);
                LagrangeWeights(t1 - b1, p, nodes, inverse, w + p);
                var row = target + 2 * p * i;
                for (var k = 0; k < 2 * p; k++) row[k] = (float)w[k];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SpreadStrip(
        float[] map, FftGridGeometry grid, float[] chargeGrid, int firstBox, int endBox,
        float[] weights, int[] order, int[] starts)
    {
        var p = grid.PointsPerBox;
        var boxes = grid.BoxesPerDimension;
        var nodes = grid.NodesPerDimension;
        var center0 = grid.Center(0);
        var center1 = grid.Center(1);
        var sums = stackalloc Vector128<float>[p * p];
        fixed (float* charges = chargeGrid, w = weights, y = map)
        fixed (int* rowsInOrder = order, bucketStarts = starts)
        {
            for (var b0 = firstBox; b0 < endBox; b0++)
            {
                for (var b1 = 0; b1 < boxes; b1++)
                {
                    var bucket = b0 * boxes + b1;
                    var from = bucketStarts[bucket];
                    var to = bucketStarts[bucket + 1];
                    var node = charges + ((long)b0 * p * nodes + b1 * p) * 4;
                    if (p == 3)
                    {
                        // The common case, with the nine node sums in registers.
                        Vector128<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default,
                            s12 = default, s20 = default, s21 = default, s22 = default;
                        for (var k = from; k < to; k++)
                        {
                            var i = rowsInOrder[k];
                            var q = Charge(y + 2 * i, center0, center1);
                            var wi = w + 6 * i;
                            var q0 = q * wi[0];
                            var q1 = q * wi[1];
                            var q2 = q * wi[2];
                            s00 += q0 * wi[3]; s01 += q0 * wi[4]; s02 += q0 * wi[5];
                            s10 += q1 * wi[3]; s11 += q1 * wi[4]; s12 += q1 * wi[5];
                            s20 += q2 * wi[3]; s21 += q2 * wi[4]; s22 += q2 * wi[5];
                        }
                        var row = node;
                        Vector128.Store(s00, row); Vector128.Store(s01, row + 4); Vector128.Store(s02, row + 8);
                        row += nodes * 4;
                        Vector128.Store(s10, row); Vector128.Store(s11, row + 4); Vector128.Store(s12, row + 8);
                        row += nodes * 4;
                        Vector128.Store(s20, row); Vector128.Store(s21, row + 4); Vector128.Store(s22, row + 8);
                        continue;
                    }
                    new Span<Vector128<float>>(sums, p * p).Clear();
                    for (var k = from; k < to; k++)
                    {
                        var i = rowsInOrder[k];
                        var q = Charge(y + 2 * i, center0, center1);
                        var w0 = w + 2 * p * i;
                        var w1 = w0 + p;
                        for (var k0 = 0; k0 < p; k0++)
                        {
                            var q0 = q * w0[k0];
                            for (var k1 = 0; k1 < p; k1++) sums[k0 * p + k1] += q0 * w1[k1];
                        }
                    }
                    for (var k0 = 0; k0 < p; k0++)
                        for (var k1 = 0; k1 < p; k1++)
                            Vector128.Store(sums[k0 * p + k1], node + (k0 * nodes + k1) * 4);
                }
            }
        }
    }

    // The charges 1, u0, u1, |u|^2 of a point, u relative to the grid centre in single precision.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<float> Charge(float* point, double center0, double center1)
    {
        var u0 = (float)(point[0] - center0);
        var u1 = (float)(point[1] - center1);
        return Vector128.Create(1f, u0, u1, u0 * u0 + u1 * u1);
    }

    // Serial: a line of nodes is cheap, and a fixed order keeps it deterministic.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Spread1D(float[] map, FftGridGeometry grid, Span<float> charges)
    {
        var p = grid.PointsPerBox;
        var boxes = grid.BoxesPerDimension;
        var inverseWidth = 1 / grid.BoxWidth;
        var origin = grid.Origin[0];
        var center = grid.Center(0);
        var (nodeOffsets, inverseDenominators) = LagrangeNodes(p);
        var w = stackalloc double[p];
        charges.Clear();
        fixed (double* nodes = nodeOffsets, inverse = inverseDenominators)
        {
            foreach (var y in map)
            {
                var t = (y - origin) * inverseWidth;
                var b = Math.Clamp((int)Math.Floor(t), 0, boxes - 1);
                LagrangeWeights(t - b, p, nodes, inverse, w);
                var u = (float)(y - center);
                var uu = u * u;
                for (var k = 0; k < p; k++)
                {
                    var at = (b * p + k) * 3;
                    var wk = (float)w[k];
                    charges[at] += wk;
                    charges[at + 1] += wk * u;
                    charges[at + 2] += wk * uu;
                }
            }
        }
    }
}