using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// The one-dimensional counterpart of <see cref="GridConvolution2D"/>: three real charge sequences on an
/// equispaced line of nodes convolved with one even kernel through a circulant embedding. A single lane-batched
/// transform carries the kernel (lane 0) and the three charges (lanes 1 to 3) at once; the kernel's spectrum is real,
/// so the multiply is a scaling. Cheap next to the 2-D case, so it runs on one thread. Not thread-safe.
/// </summary>
internal sealed unsafe class GridConvolution1D
{
    public const int ChargeCount = 3;
    private const int Lanes = LaneFft.Lanes;

    private readonly FftPlan _plan;
    private readonly int _nodes;
    private readonly int _length;
    private readonly float[] _charges;
    private readonly float[] _kernelTable;
    private readonly float[] _laneArray;

    public GridConvolution1D(int nodes, int length)
    {
        if (!FftPlan.IsSupported(length) || length % 4 != 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be 2^k or 3 * 2^k and a multiple of 4.");
        if (nodes < 1 || 2 * nodes > length)
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "The circulant must be at least twice the grid.");
        _plan = FftPlan.ForLength(length);
        _nodes = nodes;
        _length = length;
        _charges = new float[nodes * ChargeCount];
        _kernelTable = new float[nodes];
        _laneArray = GC.AllocateArray<float>(2 * length * Lanes, pinned: true);
    }

    public int Nodes => _nodes;

    public int Length => _length;

    /// <summary>Input charges, <c>node * 3 + charge</c>.</summary>
    public Span<float> Charges => _charges;

    /// <summary>The kernel at each lag 0 .. Nodes - 1.</summary>
    public Span<float> KernelTable => _kernelTable;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Convolve(float[] potentials)
    {
        ArgumentNullException.ThrowIfNull(potentials);
        if (potentials.Length != _nodes * ChargeCount)
            throw new ArgumentException("The potentials must match the charge grid.", nameof(potentials));
        var length = _length;
        var nodes = _nodes;
        var scale = 1f / length;
        var re = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_laneArray));
        var im = re + length * Lanes;
        new Span<float>(re, 2 * length * Lanes).Clear();
        for (var r = 0; r < length; r++)
        {
            var lag = Math.Min(r, length - r);
            if (lag < nodes) re[r * Lanes] = _kernelTable[lag] * scale;
        }
        for (var g = 0; g < nodes; g++)
        {
            for (var c = 0; c < ChargeCount; c++) re[g * Lanes + 1 + c] = _charges[g * ChargeCount + c];
        }
        LaneFft.Forward(_plan, re, im, upperHalfZero: false);
        for (var r = 0; r < length; r++)
        {
            var row = r * Lanes;
            // The kernel is even and real, so its spectrum is real; drop it from the lanes before inverting.
            var k = re[row];
            re[row] = im[row] = 0f;
            for (var c = 1; c <= ChargeCount; c++)
            {
                re[row + c] *= k;
                im[row + c] *= k;
            }
        }
        LaneFft.Inverse(_plan, re, im, lowerHalfOnly: true);
        for (var g = 0; g < nodes; g++)
        {
            for (var c = 0; c < ChargeCount; c++) potentials[g * ChargeCount + c] = re[g * Lanes + 1 + c];
        }
    }
}
