using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Orleans.Embeddings.Tsne.Kernels;

/// <summary>
/// The register-blocked inner kernel shared by every dense product in the library (all-pairs distances, PCA
/// scatter sums and projections): a block of 4 (or 1) rows of A times one 16-wide panel of B, accumulating over
/// the shared dimension in a fixed order, so each dot product comes out the same however the caller tiles the
/// work. A's element (r, t) sits at a[r * aRow + t * aStep]; B's element (t, lane) at b[t * bStep + lane].
/// </summary>
internal static unsafe class DotProductKernel
{
    public const int PanelWidth = 16;

    /// <summary>Writes the 4 x 16 block A(4 x length) B(length x 16) row-major into c (64 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply4x16(float* a, nint aRow, nint aStep, float* b, nint bStep, int length, float* c)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (var t = 0; t < length; t++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector256.Create(a[aRow]);
            c10 = Vector256.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector256.Create(a[2 * aRow]);
            c20 = Vector256.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector256.Create(a[3 * aRow]);
            c30 = Vector256.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(a3, b1, c31);
            a += aStep;
            b += bStep;
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + 16); c11.Store(c + 24);
        c20.Store(c + 32); c21.Store(c + 40);
        c30.Store(c + 48); c31.Store(c + 56);
    }

    /// <summary>Writes the 1 x 16 block into c (16 floats); the same arithmetic as one row of <see cref="Multiply4x16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply1x16(float* a, nint aStep, float* b, nint bStep, int length, float* c)
    {
        Vector256<float> c0 = default, c1 = default;
        for (var t = 0; t < length; t++)
        {
            var a0 = Vector256.Create(a[0]);
            c0 = Vector256.MultiplyAddEstimate(a0, Vector256.Load(b), c0);
            c1 = Vector256.MultiplyAddEstimate(a0, Vector256.Load(b + 8), c1);
            a += aStep;
            b += bStep;
        }
        c0.Store(c);
        c1.Store(c + 8);
    }

    /// <summary>
    /// Copies rows of a row-major matrix into panels of 16 rows each, laid out (t, lane) so the kernel reads a
    /// panel with unit stride. Rows past <paramref name="rows"/> are zero. dst holds PanelCount(rows) * length * 16 floats.
    /// </summary>
    public static void Pack(ReadOnlySpan<float> source, int rows, int length, Span<float> destination)
    {
        var panels = PanelCount(rows);
        destination[..(panels * length * PanelWidth)].Clear();
        for (var row = 0; row < rows; row++)
        {
            var panel = destination.Slice(row / PanelWidth * length * PanelWidth);
            var lane = row % PanelWidth;
            var values = source.Slice(row * length, length);
            for (var t = 0; t < length; t++) panel[t * PanelWidth + lane] = values[t];
        }
    }

    /// <summary>As <see cref="Pack"/>, for the rows of <paramref name="source"/> that <paramref name="rows"/> names, in that order.</summary>
    public static void PackRows(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, int length, Span<float> destination)
    {
        var panels = PanelCount(rows.Length);
        destination[..(panels * length * PanelWidth)].Clear();
        for (var i = 0; i < rows.Length; i++)
        {
            var panel = destination.Slice(i / PanelWidth * length * PanelWidth);
            var lane = i % PanelWidth;
            var values = source.Slice(rows[i] * length, length);
            for (var t = 0; t < length; t++) panel[t * PanelWidth + lane] = values[t];
        }
    }

    public static int PanelCount(int rows) => (rows + PanelWidth - 1) / PanelWidth;
}
