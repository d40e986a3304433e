using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The whole map of one iteration as a machine holds it for the shards it runs: the attractive forces need the
/// neighbours' positions, wherever they live. One replica per machine and iteration, shared by its shards. The
/// repulsion field is built from it once, on first use, for all of them: the FFT grid of the coordinator's plan
/// (every point's charges spread in row order, one convolution), or a Barnes-Hut tree. Building it where the map
/// already is costs O(N + G log G) per machine and moves no grid.
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

    /// <summary>The potentials array of the grid this replica last built or took, for the next one to fill.</summary>
    public float[]? RecyclablePotentials => potentials?.Potentials;

    /// <summary>
    /// Takes the FFT grid another machine's replica of the same map built for the same plan, instead of building it
    /// here: the grid is a function of the map and the plan alone, so the field is the one this replica would build.
    /// </summary>
    public void UseGrid(FftPotentialGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        lock (gate)
        {
            potentials = grid;
            field = new FftRepulsionField(grid, Coordinates, Dimensions);
        }
    }

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
}
