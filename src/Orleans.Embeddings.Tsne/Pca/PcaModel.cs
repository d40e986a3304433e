using MathNet.Numerics.LinearAlgebra;
using Orleans.Embeddings.Tsne.Kernels;

namespace Orleans.Embeddings.Tsne.Pca;

/// <summary>
/// Principal axes of a data set, from its reduced <see cref="PcaSums"/>: the mean, the leading eigenvectors of
/// the covariance (MathNet's symmetric eigendecomposition) and their variances. Each axis's sign is fixed so
/// that its largest coordinate is positive, so the same sums always give the same model.
/// </summary>
public sealed record PcaModel(int InputDimensions, float[] Mean, float[] Components, double[] Variances)
{
    public int ComponentCount => Variances.Length;

    public static PcaModel Fit(PcaSums sums, int components)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(components, sums.Dimensions);
        var dimensions = sums.Dimensions;
        var covariance = Matrix<double>.Build.Dense(dimensions, dimensions, sums.Covariance());
        var (vectors, values) = LeadingEigenpairs(covariance, components);

        var axes = new float[components * dimensions];
        var variances = new double[components];
        for (var c = 0; c < components; c++)
        {
            var vector = vectors.Column(c);
            var largest = vector.AbsoluteMaximumIndex();
            var sign = vector[largest] < 0 ? -1 : 1;
            for (var d = 0; d < dimensions; d++) axes[c * dimensions + d] = (float)(sign * vector[d]);
            variances[c] = Math.Max(0, values[c]);
        }
        return new PcaModel(dimensions, sums.Mean().Select(m => (float)m).ToArray(), axes, variances);
    }

    /// <summary>
    /// The leading eigenvectors (as columns, largest eigenvalue first) of a symmetric positive semi-definite
    /// matrix. A full eigendecomposition costs O(D^3) with a large constant (about 2 s for D = 784), so when only
    /// a few axes of a large matrix are wanted they come from randomised subspace iteration (Halko, Martinsson
    /// and Tropp 2011): a seeded block of oversampled vectors multiplied by the matrix and re-orthonormalised
    /// a few times, then the small projected problem solved exactly (Rayleigh-Ritz).
    /// </summary>
    internal static (Matrix<double> Vectors, double[] Values) LeadingEigenpairs(Matrix<double> matrix, int count)
    {
        var size = matrix.RowCount;
        var block = Math.Min(size, count + Math.Max(10, count / 2));
        if (block * 3 > size)
        {
            var full = matrix.Evd(Symmetricity.Symmetric);
            var order = Enumerable.Range(0, size).OrderByDescending(i => full.EigenValues[i].Real).ThenBy(i => i).Take(count).ToArray();
            return (Matrix<double>.Build.Dense(size, count, (r, c) => full.EigenVectors[r, order[c]]),
                order.Select(i => full.EigenValues[i].Real).ToArray());
        }
        const int PowerIterations = 4;
        var random = new Random(12345);
        var basis = Matrix<double>.Build.Dense(size, block, (_, _) => random.NextDouble() - 0.5);
        for (var i = 0; i < PowerIterations; i++)
            basis = (matrix * basis).QR().Q.SubMatrix(0, size, 0, block);
        var projected = basis.TransposeThisAndMultiply(matrix * basis);
        var small = projected.Evd(Symmetricity.Symmetric);
        var ranked = Enumerable.Range(0, block).OrderByDescending(i => small.EigenValues[i].Real).ThenBy(i => i).Take(count).ToArray();
        var vectors = basis * Matrix<double>.Build.Dense(block, count, (r, c) => small.EigenVectors[r, ranked[c]]);
        return (vectors, ranked.Select(i => small.EigenValues[i].Real).ToArray());
    }

    /// <summary>The model keeping only the leading <paramref name="components"/> axes.</summary>
    public PcaModel Truncate(int components) => components >= ComponentCount ? this
        : this with { Components = Components[..(components * InputDimensions)], Variances = Variances[..components] };

    /// <summary>Coordinates of rows on the axes, (x - mean) . axis, row-major rows x ComponentCount.</summary>
    public unsafe float[] Project(ReadOnlyMemory<float> rows, ParallelOptions parallel)
    {
        var count = rows.Length / InputDimensions;
        var components = ComponentCount;
        var panels = DotProductKernel.PanelCount(components);
        var packed = new float[panels * InputDimensions * DotProductKernel.PanelWidth];
        DotProductKernel.Pack(Components, components, InputDimensions, packed);
        var offsets = new float[components];
        for (var c = 0; c < components; c++)
            offsets[c] = (float)Enumerable.Range(0, InputDimensions).Sum(d => (double)Mean[d] * Components[c * InputDimensions + d]);

        var result = new float[count * components];
        const int Tile = 64;
        Parallel.For(0, (count + Tile - 1) / Tile, parallel, tile =>
        {
            var block = stackalloc float[4 * DotProductKernel.PanelWidth];
            fixed (float* x = rows.Span)
            fixed (float* b = packed)
            {
                for (var row = tile * Tile; row < Math.Min(count, tile * Tile + Tile); row += 4)
                {
                    var height = Math.Min(4, count - row);
                    for (var panel = 0; panel < panels; panel++)
                    {
                        var panelBase = b + (long)panel * InputDimensions * DotProductKernel.PanelWidth;
                        // Four rows at once, or the last one to three rows one by one: the same sums either way.
                        if (height == 4)
                            DotProductKernel.Multiply4x16(x + (long)row * InputDimensions, InputDimensions, 1, panelBase, DotProductKernel.PanelWidth, InputDimensions, block);
                        else
                            for (var r = 0; r < height; r++)
                                DotProductKernel.Multiply1x16(x + (long)(row + r) * InputDimensions, 1, panelBase, DotProductKernel.PanelWidth, InputDimensions, block + r * DotProductKernel.PanelWidth);
                        for (var r = 0; r < height; r++)
                        {
                            for (var lane = 0; lane < DotProductKernel.PanelWidth; lane++)
                            {
                                var c = panel * DotProductKernel.PanelWidth + lane;
                                if (c < components)
                                    result[(long)(row + r) * components + c] = block[r * DotProductKernel.PanelWidth + lane] - offsets[c];
                            }
                        }
                    }
                }
            }
        });
        return result;
    }
}
