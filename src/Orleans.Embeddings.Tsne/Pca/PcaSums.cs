using Orleans.Embeddings.Tsne.Kernels;

namespace Orleans.Embeddings.Tsne.Pca;

/// <summary>
/// One shard's share of what a principal component analysis needs: the row count, the column sums and the upper
/// triangle of the scatter matrix X^T X. Shares from every shard add up to the whole data set's.
/// Each 256-row chunk is summed in float by the SIMD kernel, then rounded onto a fixed-point grid and accumulated
/// in 128-bit integers: integer addition is associative, so the total is bit-for-bit the same however the rows
/// were sharded and in whatever order the shares are added. The grid is fixed by the largest absolute input
/// value, which every shard must be given (<see cref="MaxAbsolute"/> of each shard, maximised).
/// </summary>
public sealed record PcaSums(int Count, int Dimensions, double MaxAbsolute, Int128[] Sums, Int128[] Scatter)
{
    private const int ChunkRows = ShardLayout.ChunkRows;

    /// <summary>Fixed-point scale of the chunk column sums: 2^62 / (256 * max|x|) rounded down to a power of two.</summary>
    private double SumScale => ScaleFor(ChunkRows * MaxAbsolute);

    private double ScatterScale => ScaleFor(ChunkRows * MaxAbsolute * MaxAbsolute);

    public static double MaxAbsoluteOf(ReadOnlySpan<float> values)
    {
        float max = 0;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    public static PcaSums Empty(int dimensions, double maxAbsolute) =>
        new(0, dimensions, maxAbsolute, new Int128[dimensions], new Int128[dimensions * dimensions]);

    /// <summary>The share of one shard's rows, which must start on a chunk boundary of the data set.</summary>
    public static PcaSums Compute(ReadOnlyMemory<float> rows, int dimensions, double maxAbsolute, ParallelOptions parallel)
    {
        var count = rows.Length / dimensions;
        var chunks = (count + ChunkRows - 1) / ChunkRows;
        var total = Empty(dimensions, maxAbsolute) with { Count = count };
        var gate = new object();
        var width = PaddedWidth(dimensions);
        Parallel.For(0, chunks, parallel, () => (Sums: Empty(dimensions, maxAbsolute), Buffer: new float[ChunkRows * width]), (chunk, _, local) =>
        {
            local.Sums.AddChunk(rows, chunk * ChunkRows, Math.Min(count, (chunk + 1) * ChunkRows), local.Buffer);
            return local;
        }, local =>
        {
            lock (gate) total.AddInPlace(local.Sums);
        });
        return total;
    }

    /// <summary>The element-wise total of two shares.</summary>
    public PcaSums Add(PcaSums other)
    {
        if (other.Dimensions != Dimensions || other.MaxAbsolute != MaxAbsolute)
            throw new ArgumentException("PCA sums of different dimensions or scales cannot be added.", nameof(other));
        var result = this with { Sums = (Int128[])Sums.Clone(), Scatter = (Int128[])Scatter.Clone() };
        result.AddInPlace(other);
        return result with { Count = Count + other.Count };
    }

    /// <summary>Column means, in double.</summary>
    public double[] Mean()
    {
        var mean = new double[Dimensions];
        for (var d = 0; d < Dimensions; d++) mean[d] = (double)Sums[d] / SumScale / Count;
        return mean;
    }

    /// <summary>The sample covariance matrix (row-major, full), in double.</summary>
    public double[] Covariance()
    {
        var mean = Mean();
        var covariance = new double[Dimensions * Dimensions];
        var denominator = Math.Max(1, Count - 1);
        for (var a = 0; a < Dimensions; a++)
            for (var b = a; b < Dimensions; b++)
            {
                var scatter = (double)Scatter[a * Dimensions + b] / ScatterScale;
                var value = (scatter - Count * mean[a] * mean[b]) / denominator;
                covariance[a * Dimensions + b] = value;
                covariance[b * Dimensions + a] = value;
            }
        return covariance;
    }

    private void AddInPlace(PcaSums other)
    {
        for (var i = 0; i < Sums.Length; i++) Sums[i] += other.Sums[i];
        for (var i = 0; i < Scatter.Length; i++) Scatter[i] += other.Scatter[i];
    }

    private static int PaddedWidth(int dimensions) => DotProductKernel.PanelCount(dimensions) * DotProductKernel.PanelWidth;

    private unsafe void AddChunk(ReadOnlyMemory<float> rows, int first, int last, float[] chunk)
    {
        var length = last - first;
        var width = PaddedWidth(Dimensions);
        // A zero-padded copy, so whole 16-column panels can be read for any dimension count.
        Array.Clear(chunk);
        for (var r = 0; r < length; r++)
            rows.Span.Slice((first + r) * Dimensions, Dimensions).CopyTo(chunk.AsSpan(r * width));

        var sumScale = SumScale;
        for (var d = 0; d < Dimensions; d++)
        {
            float sum = 0;
            for (var r = 0; r < length; r++) sum += chunk[r * width + d];
            Sums[d] += Quantize(sum, sumScale);
        }

        var scatterScale = ScatterScale;
        var block = stackalloc float[4 * DotProductKernel.PanelWidth];
        fixed (float* x = chunk)
        {
            for (var a = 0; a < Dimensions; a += 4)
            {
                for (var b = a / DotProductKernel.PanelWidth * DotProductKernel.PanelWidth; b < Dimensions; b += DotProductKernel.PanelWidth)
                {
                    DotProductKernel.Multiply4x16(x + a, 1, width, x + b, width, length, block);
                    for (var i = 0; i < 4 && a + i < Dimensions; i++)
                        for (var lane = Math.Max(0, a + i - b); lane < DotProductKernel.PanelWidth && b + lane < Dimensions; lane++)
                            Scatter[(a + i) * Dimensions + b + lane] += Quantize(block[i * DotProductKernel.PanelWidth + lane], scatterScale);
                }
            }
        }
    }

    private static Int128 Quantize(float value, double scale) => (long)Math.Round(value * scale);

    private static double ScaleFor(double bound) =>
        bound > 0 ? Math.ScaleB(1, 62 - (int)Math.Ceiling(Math.Log2(bound))) : 1;
}
