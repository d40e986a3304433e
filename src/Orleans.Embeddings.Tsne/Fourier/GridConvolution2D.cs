using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// Discrete convolution of four real charge grids (nodes x nodes) with one real kernel that depends only on the
/// absolute lag along each axis: potential(g) = sum_h K(|g - h|) charge(h). The kernel matrix on an equispaced grid
/// is block Toeplitz, so it is embedded in a circulant of twice the size and applied with FFTs.
/// <para>
/// Work: the four real grids travel as two complex grids (charge 0 + i charge 1, charge 2 + i charge 3); because the
/// embedded kernel is even in both axes its spectrum is real, so one multiply serves both halves of each pair. The
/// kernel's own spectrum is real too, so two of its lane blocks share one complex transform. Zero padding is never
/// transformed (the first stage reads only the lower half) and the upper half of an inverse is never produced.
/// Spectra stay in the FFT's scrambled order throughout.
/// </para>
/// <para>
/// Layout: the first pass transforms along the second axis with the lanes along the first, in blocks of 16 first-axis
/// nodes (<c>work[block][row][lane]</c>); the second pass transposes 16 x 16 tiles so the lanes run along the second
/// axis, transforms, multiplies, inverts and transposes back; the third inverts along the second axis again. Every
/// block is independent, so the passes run in parallel and the result does not depend on the thread count.
/// </para>
/// Not thread-safe: one convolution at a time per instance.
/// </summary>
internal sealed unsafe class GridConvolution2D
{
    public const int ChargeCount = 4;
    private const int Lanes = LaneFft.Lanes;

    [ThreadStatic] private static float[]? t_scratch;

    private readonly FftPlan _plan;
    private readonly int _nodes;
    private readonly int _length;
    private readonly int _nodeBlocks;
    private readonly int _kernelTasks;
    private readonly int _paddedNodes;
    private readonly int _kernelRowStride;
    private readonly int _blockStride;
    private readonly int _scratchStride;
    private readonly float* _charges;
    private readonly float* _kernelTable;
    private readonly float* _kernelRows;
    private readonly float* _re0, _im0, _re1, _im1;
    private readonly Action<int> _kernelRowsTask, _forwardColumnsTask, _multiplyTask, _inverseColumnsTask;
    private float* _output;
    private float _scale;
    private readonly float[] _chargeScales = [1f, 1f, 1f, 1f];

    // The arrays are allocated pinned so the passes can hold raw pointers across threads.
    private readonly float[] _chargesArray, _kernelTableArray, _kernelRowsArray, _workArray;

    public GridConvolution2D(int nodes, int length)
    {
        if (!FftPlan.IsSupported(length) || length % (2 * Lanes) != 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be 2^k or 3 * 2^k and a multiple of 32.");
        if (nodes < 1 || 2 * nodes > length)
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "The circulant must be at least twice the grid.");
        _plan = FftPlan.ForLength(length);
        _nodes = nodes;
        _length = length;
        _nodeBlocks = (nodes + Lanes - 1) / Lanes;
        _kernelTasks = (_nodeBlocks + 1) / 2;

        _paddedNodes = _nodeBlocks * Lanes;
        // Rows beyond the grid (up to a whole lane block) and a tile's worth of slack stay zero, so the passes can
        // move whole 16 x 16 tiles without edge cases.
        _chargesArray = GC.AllocateArray<float>(_paddedNodes * nodes * ChargeCount + Lanes * Lanes, pinned: true);
        _kernelTableArray = GC.AllocateArray<float>(nodes * _paddedNodes, pinned: true);
        // Power-of-two strides would map the 16 x 16 tiles of one transpose (and the legs of one butterfly) onto the
        // same cache sets; a few cache lines of padding per block or row spread them out.
        _kernelRowStride = length + Lanes;
        _blockStride = length * Lanes + 4 * Lanes;
        _scratchStride = length * Lanes + 9 * Lanes;
        _kernelRowsArray = GC.AllocateArray<float>(_kernelTasks * 2 * Lanes * _kernelRowStride, pinned: true);
        var block = _nodeBlocks * _blockStride + 7 * Lanes;
        _workArray = GC.AllocateArray<float>(4 * block, pinned: true);
        _charges = Pointer(_chargesArray);
        _kernelTable = Pointer(_kernelTableArray);
        _kernelRows = Pointer(_kernelRowsArray);
        _re0 = Pointer(_workArray);
        _im0 = _re0 + block;
        _re1 = _im0 + block;
        _im1 = _re1 + block;

        _kernelRowsTask = KernelRows;
        _forwardColumnsTask = ForwardColumns;
        _multiplyTask = Multiply;
        _inverseColumnsTask = InverseColumns;
    }

    /// <summary>Nodes per axis.</summary>
    public int Nodes => _nodes;

    /// <summary>Circulant (FFT) length per axis.</summary>
    public int Length => _length;

    /// <summary>Input charges, <c>[g0 * Nodes + g1] * 4 + charge</c>. Fill (all of it) before <see cref="Convolve"/>.</summary>
    public Span<float> Charges => new(_charges, _nodes * _nodes * ChargeCount);

    /// <summary>The array <see cref="Charges"/> starts, pinned, for kernels that write it from several threads; past the charges it must stay zero.</summary>
    public float[] ChargesArray => _chargesArray;

    /// <summary>
    /// The kernel at lag (l0, l1) at <c>l0 * KernelTableStride + l1</c> for l0, l1 below Nodes; must be symmetric in
    /// l0 and l1. The columns past Nodes are padding and must stay zero.
    /// </summary>
    public Span<float> KernelTable => new(_kernelTable, _nodes * _paddedNodes);

    /// <summary>
    /// Factors applied to each charge on the way in and undone on the way out (the result does not change). The two
    /// charges packed into one complex transform share its rounding error, which scales with the larger of the two;
    /// scaling them to similar magnitudes keeps the smaller one accurate.
    /// </summary>
    public Span<float> ChargeScales => _chargeScales;

    /// <summary>Row stride of <see cref="KernelTable"/>.</summary>
    public int KernelTableStride => _paddedNodes;

    /// <summary>Convolves the charges with the kernel into <paramref name="potentials"/> (layout of the charges).</summary>
    public void Convolve(float[] potentials, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(potentials);
        if (potentials.Length != _nodes * _nodes * ChargeCount)
            throw new ArgumentException("The potentials must match the charge grid.", nameof(potentials));
        // The inverse transforms are unnormalised; fold 1/L^2 into the kernel spectrum.
        _scale = 1f / ((float)_length * _length);
        fixed (float* output = potentials)
        {
            _output = output;
            try
            {
                var options = parallel;
                Parallel.For(0, _kernelTasks, options, _kernelRowsTask);
                Parallel.For(0, _nodeBlocks, options, _forwardColumnsTask);
                Parallel.For(0, _length / (2 * Lanes), options, _multiplyTask);
                Parallel.For(0, _nodeBlocks, options, _inverseColumnsTask);
            }
            finally
            {
                _output = null;
            }
        }
    }

    private static float* Pointer(float[] pinned) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    private static float* Scratch(int floats)
    {
        var scratch = t_scratch;
        if (scratch is null || scratch.Length < floats) t_scratch = scratch = GC.AllocateArray<float>(floats, pinned: true);
        return Pointer(scratch);
    }

    private int Lag(int index) => Math.Min(index, _length - index);

    // Kernel, first axis: transform along lag 1 of the embedded kernel rows for lag 0 in two blocks of 16 (one in the
    // real part, one in the imaginary part: each transform is real, being that of an even real sequence) and store
    // the spectra as kernelRows[lag 0][frequency 1]. Only lags below the node count are non-zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KernelRows(int task)
    {
        var length = _length;
        var nodes = _nodes;
        var re = Scratch(4 * _scratchStride);
        var im = re + _scratchStride;
        var firstA = 2 * task * Lanes;
        var firstB = firstA + Lanes;
        var scale = new Vector<float>(_scale);
        for (var l1 = 0; l1 < length; l1++)
        {
            var lag = Lag(l1);
            var rowRe = re + l1 * Lanes;
            var rowIm = im + l1 * Lanes;
            // The table is symmetric, so row `lag` read along the lanes is the column we need; its zero padding
            // covers lanes past the last node.
            var source = _kernelTable + lag * _paddedNodes;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                if (lag < nodes)
                {
                    Vector.Store(Vector.Load(source + firstA + v) * scale, rowRe + v);
                    Vector.Store(firstB < nodes ? Vector.Load(source + firstB + v) * scale : Vector<float>.Zero, rowIm + v);
                }
                else
                {
                    Vector.Store(Vector<float>.Zero, rowRe + v);
                    Vector.Store(Vector<float>.Zero, rowIm + v);
                }
            }
        }
        LaneFft.Forward(_plan, re, im, upperHalfZero: false);
        for (var s = 0; s < length; s += Lanes)
        {
            TileTranspose.Transpose16(re + s * Lanes, Lanes, _kernelRows + firstA * _kernelRowStride + s, _kernelRowStride);
            TileTranspose.Transpose16(im + s * Lanes, Lanes, _kernelRows + firstB * _kernelRowStride + s, _kernelRowStride);
        }
    }

    // Charges, second axis, for 16 first-axis nodes: gather into the lane layout, zero the padding rows the first
    // stage reads, transform.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardColumns(int block)
    {
        var length = _length;
        var nodes = _nodes;
        var offset = block * _blockStride;
        float* re0 = _re0 + offset, im0 = _im0 + offset, re1 = _re1 + offset, im1 = _im1 + offset;
        // Sixteen first-axis rows of [g1][charge] are a 16 x (4 * nodes) matrix; each 16 x 16 tile of it, transposed,
        // is four nodes' rows of the four charge arrays. Padding rows past the grid are zero, and the rows past
        // `nodes` that a partial last tile writes are cleared with the padding below.
        var tile = stackalloc float[Lanes * Lanes];
        var source = _charges + (long)block * Lanes * nodes * ChargeCount;
        var scale0 = new Vector<float>(_chargeScales[0]);
        var scale1 = new Vector<float>(_chargeScales[1]);
        var scale2 = new Vector<float>(_chargeScales[2]);
        var scale3 = new Vector<float>(_chargeScales[3]);
        for (var g1 = 0; g1 < nodes; g1 += 4)
        {
            TileTranspose.Transpose16(source + g1 * ChargeCount, nodes * ChargeCount, tile, Lanes);
            var end = Math.Min(4, length / 2 - g1);
            for (var j = 0; j < end; j++)
            {
                var at = (g1 + j) * Lanes;
                var row = tile + 4 * j * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    Vector.Store(Vector.Load(row + v) * scale0, re0 + at + v);
                    Vector.Store(Vector.Load(row + Lanes + v) * scale1, im0 + at + v);
                    Vector.Store(Vector.Load(row + 2 * Lanes + v) * scale2, re1 + at + v);
                    Vector.Store(Vector.Load(row + 3 * Lanes + v) * scale3, im1 + at + v);
                }
            }
        }
        var padding = (length / 2 - nodes) * Lanes;
        new Span<float>(re0 + nodes * Lanes, padding).Clear();
        new Span<float>(im0 + nodes * Lanes, padding).Clear();
        new Span<float>(re1 + nodes * Lanes, padding).Clear();
        new Span<float>(im1 + nodes * Lanes, padding).Clear();
        LaneFft.Forward(_plan, re0, im0, upperHalfZero: true);
        LaneFft.Forward(_plan, re1, im1, upperHalfZero: true);
    }

    // First axis, for two blocks of 16 second-axis frequencies: finish the kernel spectrum, then for each block and
    // charge pair transpose in, transform, multiply, invert (lower half only) and transpose back.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(int task)
    {
        var length = _length;
        var nodes = _nodes;
        var kernelRe = Scratch(4 * _scratchStride);
        var kernelIm = kernelRe + _scratchStride;
        var re = kernelIm + _scratchStride;
        var im = re + _scratchStride;
        var firstA = task * Lanes;
        var firstB = firstA + length / 2;

        for (var l0 = 0; l0 < length; l0++)
        {
            var lag = Lag(l0);
            var rowRe = kernelRe + l0 * Lanes;
            var rowIm = kernelIm + l0 * Lanes;
            var source = _kernelRows + lag * _kernelRowStride;
            for (var v = 0; v < Lanes; v += Vector<float>.Count)
            {
                Vector.Store(lag < nodes ? Vector.Load(source + firstA + v) : Vector<float>.Zero, rowRe + v);
                Vector.Store(lag < nodes ? Vector.Load(source + firstB + v) : Vector<float>.Zero, rowIm + v);
            }
        }
        LaneFft.Forward(_plan, kernelRe, kernelIm, upperHalfZero: false);

        var filled = _nodeBlocks * Lanes;
        var padding = (length / 2 - filled) * Lanes;
        for (var half = 0; half < 2; half++)
        {
            var first = half == 0 ? firstA : firstB;
            var spectrum = half == 0 ? kernelRe : kernelIm;
            for (var pair = 0; pair < 2; pair++)
            {
                var workRe = pair == 0 ? _re0 : _re1;
                var workIm = pair == 0 ? _im0 : _im1;
                for (var b = 0; b < _nodeBlocks; b++)
                {
                    var tile = b * _blockStride + first * Lanes;
                    TileTranspose.Transpose16(workRe + tile, Lanes, re + b * Lanes * Lanes, Lanes);
                    TileTranspose.Transpose16(workIm + tile, Lanes, im + b * Lanes * Lanes, Lanes);
                }
                new Span<float>(re + filled * Lanes, padding).Clear();
                new Span<float>(im + filled * Lanes, padding).Clear();
                LaneFft.Forward(_plan, re, im, upperHalfZero: true);
                var count = length * Lanes;
                for (var i = 0; i < count; i += Vector<float>.Count)
                {
                    var k = Vector.Load(spectrum + i);
                    Vector.Store(Vector.Load(re + i) * k, re + i);
                    Vector.Store(Vector.Load(im + i) * k, im + i);
                }
                LaneFft.Inverse(_plan, re, im, lowerHalfOnly: true);
                for (var b = 0; b < _nodeBlocks; b++)
                {
                    var tile = b * _blockStride + first * Lanes;
                    TileTranspose.Transpose16(re + b * Lanes * Lanes, Lanes, workRe + tile, Lanes);
                    TileTranspose.Transpose16(im + b * Lanes * Lanes, Lanes, workIm + tile, Lanes);
                }
            }
        }
    }

    // Second axis, inverse, for 16 first-axis nodes; then scatter the four real results into the output.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InverseColumns(int block)
    {
        var length = _length;
        var nodes = _nodes;
        var offset = block * _blockStride;
        float* re0 = _re0 + offset, im0 = _im0 + offset, re1 = _re1 + offset, im1 = _im1 + offset;
        LaneFft.Inverse(_plan, re0, im0, lowerHalfOnly: true);
        LaneFft.Inverse(_plan, re1, im1, lowerHalfOnly: true);
        // The reverse of the gather in ForwardColumns, through a tile so that partial edges are clipped per row.
        var tile = stackalloc float[Lanes * Lanes];
        var transposed = stackalloc float[Lanes * Lanes];
        var valid = Math.Min(Lanes, nodes - block * Lanes);
        var unscale0 = new Vector<float>(1 / _chargeScales[0]);
        var unscale1 = new Vector<float>(1 / _chargeScales[1]);
        var unscale2 = new Vector<float>(1 / _chargeScales[2]);
        var unscale3 = new Vector<float>(1 / _chargeScales[3]);
        for (var g1 = 0; g1 < nodes; g1 += 4)
        {
            for (var j = 0; j < 4; j++)
            {
                var at = (g1 + j) * Lanes;
                var row = tile + 4 * j * Lanes;
                for (var v = 0; v < Lanes; v += Vector<float>.Count)
                {
                    Vector.Store(Vector.Load(re0 + at + v) * unscale0, row + v);
                    Vector.Store(Vector.Load(im0 + at + v) * unscale1, row + Lanes + v);
                    Vector.Store(Vector.Load(re1 + at + v) * unscale2, row + 2 * Lanes + v);
                    Vector.Store(Vector.Load(im1 + at + v) * unscale3, row + 3 * Lanes + v);
                }
            }
            TileTranspose.Transpose16(tile, Lanes, transposed, Lanes);
            var count = Math.Min(4, nodes - g1) * ChargeCount;
            for (var lane = 0; lane < valid; lane++)
            {
                var target = _output + ((long)(block * Lanes + lane) * nodes + g1) * ChargeCount;
                var row = transposed + lane * Lanes;
                if (count == Lanes)
                {
                    for (var v = 0; v < Lanes; v += Vector<float>.Count) Vector.Store(Vector.Load(row + v), target + v);
                }
                else
                {
                    for (var c = 0; c < count; c++) target[c] = row[c];
                }
            }
        }
    }
}
