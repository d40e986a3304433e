using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The whole map of one iteration as a machine holds it for the shards it runs: the attractive forces need the
/// neighbours' positions, wherever they live. One replica per machine and iteration, shared by its shards. The
/// repulsion field is built from it once, on first use, for all of them: the FFT grid of the coordinator's plan
/// (every point's charges spread in row order, one convolution), or a Barnes-Hut tree. Building it where the map
/// already is costs O(N + G log G) per machine and moves no grid. Shards in other processes of the machine have
/// their rows' repulsion evaluated here (<see cref="EvaluateRepulsion"/>) rather than building a second field.
/// </summary>
public sealed class MapReplica
{
    private readonly Lock gate = new();
    private IRepulsionField? field;
    private FftPotentialGrid? potentials;

    /// <param name="previous">The replica of an earlier iteration nobody reads any more, whose grid buffers this one reuses.</param>
    public MapReplica(int iteration, float[] coordinates, int dimensions, MapReplica? previous = null)
    {
        Iteration = iteration;
        Coordinates = coordinates;
        Dimensions = dimensions;
        // Only the buffers are kept, so that replicas do not chain.
        potentials = previous?.potentials;
    }

    public int Iteration { get; }

    /// <summary>Row-major coordinates of every point.</summary>
    public float[] Coordinates { get; }

    public int Dimensions { get; }

    /// <summary>The repulsion field of this map as the plan says.</summary>
    public IRepulsionField Field(IterationPlan plan, TsneOptions options)
    {
        lock (gate)
        {
            if (field is null && plan.Grid is { } grid)
            {
                potentials = FftRepulsionField.BuildGrid(Coordinates, grid, new StudentKernel(options.DegreesOfFreedom), potentials, options.Parallelism);
                field = new FftRepulsionField(potentials, Coordinates, Dimensions);
            }
            return field ??= RepulsionFields.Build(plan.Method, Coordinates, Dimensions, options);
        }
    }

    /// <summary>
    /// The repulsion on rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="count"/> of
    /// this map from its field, for a shard in another process of the machine: the same values and chunk sums that
    /// shard's own <see cref="TsneShard.Measure"/> would compute, since every row's values depend on the field and
    /// the row alone. Rows start on a chunk boundary (<see cref="ShardLayout.ChunkRows"/>). The forces are written
    /// into <paramref name="reuse"/> where it has room for exactly these rows.
    /// </summary>
    public RepulsiveForces EvaluateRepulsion(IterationPlan plan, TsneOptions options, int firstRow, int count, RepulsiveForces? reuse = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (firstRow % ShardLayout.ChunkRows != 0 || firstRow < 0 || count < 0 || firstRow + count > Coordinates.Length / Dimensions)
            throw new ArgumentOutOfRangeException(nameof(firstRow), firstRow, $"Rows {firstRow} to {firstRow + count} are not a chunk-aligned range of the map.");
        var forces = reuse?.Forces.Length == count * Dimensions ? reuse : new RepulsiveForces(count, Dimensions);
        forces.Evaluate(Field(plan, options), firstRow, options.Parallelism);
        return forces;
    }
}
