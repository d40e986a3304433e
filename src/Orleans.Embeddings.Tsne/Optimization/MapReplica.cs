using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The whole map of one iteration as a machine holds it for the shards it runs: the attractive forces need the
/// neighbours' positions, wherever they live. One replica per machine and iteration, shared by its shards; a
/// Barnes-Hut or exact field (which needs the whole map) is built from it once, on first use, for all of them.
/// </summary>
public sealed class MapReplica(int iteration, float[] coordinates, int dimensions)
{
    private readonly Lock gate = new();
    private IRepulsionField? field;

    public int Iteration { get; } = iteration;

    /// <summary>Row-major coordinates of every point.</summary>
    public float[] Coordinates { get; } = coordinates;

    public int Dimensions { get; } = dimensions;

    /// <summary>The repulsion field of this map for the methods that need the whole map (not the FFT, which is sharded).</summary>
    public IRepulsionField Field(RepulsionMethod method, TsneOptions options)
    {
        lock (gate)
            return field ??= RepulsionFields.Build(method, Coordinates, Dimensions, options);
    }
}
