using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The repulsive half of every row's gradient and every row's share of the normaliser Z, evaluated from one
/// iteration's field. Repulsion is an N-body term of the whole map, so it is evaluated where the whole map is, by
/// the coordinator, while the shards compute the attractive terms from their rows of P. Each row's values are a
/// function of the field and the row alone, so how the rows are chunked changes nothing.
/// </summary>
public sealed class RepulsiveForces(int pointCount, int dimensions)
{
    private const int RowsPerTask = 512;

    /// <summary>Unnormalised repulsive force per row, row-major.</summary>
    public float[] Forces { get; } = new float[pointCount * dimensions];

    /// <summary>Each row's share of Z: sum over j != i of w_ij.</summary>
    public double[] ZShares { get; } = new double[pointCount];

    public void Evaluate(IRepulsionField field, ParallelOptions parallel)
    {
        ArgumentNullException.ThrowIfNull(field);
        Parallel.For(0, (pointCount + RowsPerTask - 1) / RowsPerTask, parallel, task =>
        {
            var first = task * RowsPerTask;
            var rows = Math.Min(RowsPerTask, pointCount - first);
            field.Evaluate(first, Forces.AsSpan(first * dimensions, rows * dimensions), ZShares.AsSpan(first, rows));
        });
    }

    /// <summary>Z, summed in row order so that it does not depend on the thread count.</summary>
    public double Z()
    {
        double z = 0;
        foreach (var share in ZShares) z += share;
        return Math.Max(z, double.Epsilon);
    }
}
