namespace Orleans.Embeddings.Tsne;

/// <summary>
/// A finished map: row-major N x <see cref="Dimensions"/> coordinates in input order, the final KL divergence,
/// and the wall time of each phase in seconds.
/// </summary>
public sealed record TsneResult(float[] Map, int Dimensions, double KlDivergence, IReadOnlyDictionary<string, double> PhaseSeconds)
{
    public int PointCount => Map.Length / Dimensions;

    /// <summary>The share of the iterations' wall time the coordinator spent on its own work (planning and reducing), 0 to 1.</summary>
    public double CoordinatorShare { get; init; }
}
