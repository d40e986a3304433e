using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The whole map of one iteration as a machine holds it for the shards it runs: the attractive forces need the
/// neighbours' positions, wherever they live. One replica per machine and iteration, shared by its shards. The
/// repulsion field is built from it once, on first use, for all of them: the FFT grid of the coordinator's plan
/// (every point's charges spread in row order, one convolution, and Z of the whole map from the grid), or a
/// Barnes-Hut tree. Building it where the map already is costs O(N + G log G) per machine and moves no grid.
/// </summary>
public sealed class MapReplica
{
    private readonly Lock gate = new();
    private IRepulsionField? field;
    private FftPotentialGrid? potentials;
    private float[]? charges;
    private double z;

    /// <param name="previous">The replica of an earlier iteration nobody reads any more, whose grid buffers this one reuses.</param>
    public MapReplica(int iteration, float[] coordinates, int dimensions, MapReplica? previous = null)
    {
        Iteration = iteration;
        Coordinates = coordinates;
        Dimensions = dimensions;
        // Only the buffers are kept, so that replicas do not chain.
        charges = previous?.charges;
        potentials = previous?.potentials;
    }

    public int Iteration { get; }

    /// <summary>Row-major coordinates of every point.</summary>
    public float[] Coordinates { get; }

    public int Dimensions { get; }

    /// <summary>The repulsion field of this map as the plan says, with Z of the whole map when the field gives it (the FFT).</summary>
    public (IRepulsionField Field, double? Z) Field(IterationPlan plan, TsneOptions options)
    {
        lock (gate)
        {
            if (field is null)
            {
                if (plan.Grid is { } grid) field = BuildFft(grid, options);
                else field = RepulsionFields.Build(plan.Method, Coordinates, Dimensions, options);
            }
            return (field, plan.Grid is null ? null : z);
        }
    }

    private FftRepulsionField BuildFft(FftGridGeometry grid, TsneOptions options)
    {
        if (charges?.Length != grid.GridLength) charges = GC.AllocateUninitializedArray<float>(grid.GridLength);
        FftRepulsionField.Spread(Coordinates, grid, charges, options.Parallelism);
        (potentials, z) = FftRepulsionField.Convolve(grid, charges, Coordinates.Length / Dimensions,
            new StudentKernel(options.DegreesOfFreedom), potentials, options.Parallelism);
        return new FftRepulsionField(potentials, Coordinates, Dimensions);
    }
}
