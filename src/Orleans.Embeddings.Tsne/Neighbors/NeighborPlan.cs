namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// How a run finds its neighbours. Neighbours are always ranked by exact distance in the input space (or in
/// the reduced space the caller asked for with PcaDimensions). When all-pairs distances in that space cost too
/// much, candidates come from a cheaper space first, the leading principal components, and only those
/// candidates are ranked by exact distance: <see cref="CandidateFactor"/> x k of them per row. The candidates are
/// searched exactly too while that is cheaper than HNSW graphs (<see cref="ExactRowBudget"/>).
/// </summary>
/// <param name="Exact">All-pairs search (true) or an HNSW index per shard (false) in the search space.</param>
/// <param name="SearchDimensions">Principal components candidates are searched in; 0 searches the input space itself.</param>
/// <param name="Candidates">Neighbours found per row in the search space.</param>
/// <param name="Refine">Whether the candidates are re-ranked by exact distance in the input space.</param>
public sealed record NeighborPlan(bool Exact, int SearchDimensions, int Candidates, bool Refine)
{
    /// <summary>All-pairs work (N^2 x dimensions multiply-adds) that is still worth doing exactly: about 5 s on two cores.</summary>
    public const double ExactBudget = 2.5e11;

    /// <summary>
    /// Rows x dimensions of the search space up to which all-pairs search is also cheaper than building and searching
    /// HNSW graphs, whatever its N^2 work: both grow with the rows, all-pairs once more by N x dimensions. Measured on
    /// two cores, 100,000 x 50: all pairs 13 s, HNSW (k 90, 270 candidates) 44 s; 250,000 x 50: HNSW 173 s.
    /// </summary>
    public const double ExactRowBudget = 1.5e7;

    /// <summary>Principal components of the candidate search.</summary>
    public const int CandidateDimensions = 50;

    /// <summary>Candidates per wanted neighbour when searching a cheaper space.</summary>
    public const int CandidateFactor = 3;

    public static NeighborPlan For(TsneOptions options, int pointCount, int inputDimensions)
    {
        var k = options.NeighborCount(pointCount);
        var reduced = options.EffectivePcaDimensions(inputDimensions);
        var dimensions = reduced > 0 ? reduced : inputDimensions;
        var project = dimensions > CandidateDimensions;
        var candidates = Math.Min(pointCount - 1, CandidateFactor * k);
        return options.Neighbors switch
        {
            NeighborMethod.Exact => new NeighborPlan(true, 0, k, false),
            NeighborMethod.Approximate => new NeighborPlan(false, project ? CandidateDimensions : 0, candidates, true),
            _ when (double)pointCount * pointCount * dimensions <= ExactBudget => new NeighborPlan(true, 0, k, false),
            _ when project => new NeighborPlan(ExactIsCheaper(pointCount, CandidateDimensions), CandidateDimensions, candidates, true),
            _ when ExactIsCheaper(pointCount, dimensions) => new NeighborPlan(true, 0, k, false),
            _ => new NeighborPlan(false, 0, candidates, true),
        };
    }

    private static bool ExactIsCheaper(int pointCount, int dimensions) =>
        (double)pointCount * pointCount * dimensions <= ExactBudget || (double)pointCount * dimensions <= ExactRowBudget;

    public override string ToString() =>
        (Exact ? "exact" : "hnsw") + (SearchDimensions > 0 ? $" on {SearchDimensions} principal components" : "")
        + (Refine ? $", {Candidates} candidates re-ranked exactly" : "");
}
