using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The repulsive half of the gradient on a shard's rows and each row's share of the normaliser Z, evaluated from one
/// iteration's field. Each row's values are a function of the field and the row alone, so how the rows are chunked
/// over threads changes nothing.
/// </summary>
public sealed class RepulsiveForces(int pointCount, int dimensions)
{
    private const int RowsPerTask = 512;

    /// <summary>Unnormalised repulsive force per row, row-major.</summary>
    public float[] Forces { get; } = new float[pointCount * dimensions];

    /// <summary>Each row's share of Z: sum over j != i of w_ij.</summary>
    public double[] ZShares { get; } = new double[pointCount];

    /// <summary>Evaluates the field for these rows, which are the field's rows from <paramref name="firstRow"/> on.</summary>
    public void Evaluate(IRepulsionField field, int firstRow, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(field);
        Parallel.For(0, (pointCount + RowsPerTask - 1) / RowsPerTask, parallel, task =>
        {
            var first = task * RowsPerTask;
            var rows = Math.Min(RowsPerTask, pointCount - first);
            field.Evaluate(firstRow + first, Forces.AsSpan(first * dimensions, rows * dimensions), ZShares.AsSpan(first, rows));
        });
    }

    /// <summary>These rows' part of Z, summed in row order so that it does not depend on the thread count.</summary>
    public double Z()
    {
        double z = 0;
        foreach (var share in ZShares) z += share;
        return z;
    }

    /// <summary>
    /// These rows' part of Z per <see cref="ShardLayout.ChunkRows"/> rows, each summed in row order. Shards start on
    /// chunk boundaries, so adding every shard's chunk sums in order gives the same Z whatever the shard count.
    /// </summary>
    public double[] ChunkSums()
    {
        var sums = new double[(pointCount + ShardLayout.ChunkRows - 1) / ShardLayout.ChunkRows];
        for (var row = 0; row < pointCount; row++) sums[row / ShardLayout.ChunkRows] += ZShares[row];
        return sums;
    }
}
