namespace Orleans.Embeddings.Tsne.Neighbors;

/// <summary>
/// How a run finds its neighbours. Neighbours are always ranked by exact distance in the input space (or in
/// the reduced space the caller asked for with PcaDimensions). While all-pairs distances cost little
/// (<see cref="ExactBudget"/>) they are searched exactly; beyond, each shard grows a random-projection forest and every
/// row is measured exactly against the rows of the leaves it reaches. When the input is wide, candidates are searched
/// in a cheaper space first, the leading principal components, and only those candidates are ranked by exact
/// distance: <see cref="CandidateFactor"/> x k of them per row.
/// </summary>
/// <param name="Exact">All-pairs search (true) or a random-projection forest per shard (false) in the search space.</param>
/// <param name="SearchDimensions">Principal components candidates are searched in; 0 searches the input space itself.</param>
/// <param name="Candidates">Neighbours found per row in the search space.</param>
/// <param name="Refine">Whether the candidates are re-ranked by exact distance in the input space.</param>
public sealed record NeighborPlan(bool Exact, int SearchDimensions, int Candidates, bool Refine)
{
    /// <summary>
    /// All-pairs work (N^2 x dimensions multiply-adds) that is still worth doing exactly: about 5 s on two cores, where
    /// the forest is not much faster. Measured on two cores, 250,000 x 50, k 90: all pairs 67 s; forests 17 s, recall@90 0.989.
    /// </summary>
    public const double ExactBudget = 2.5e11;

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
        var forest = project ? new NeighborPlan(false, CandidateDimensions, candidates, true) : new NeighborPlan(false, 0, k, false);
        return options.Neighbors switch
        {
            NeighborMethod.Exact => new NeighborPlan(true, 0, k, false),
            NeighborMethod.Approximate => forest,
            _ when (double)pointCount * pointCount * dimensions <= ExactBudget => new NeighborPlan(true, 0, k, false),
            _ when project && (double)pointCount * pointCount * CandidateDimensions <= ExactBudget =>
                new NeighborPlan(true, CandidateDimensions, candidates, true),
            _ => forest,
        };
    }

    public override string ToString() =>
        (Exact ? "exact" : "random-projection forests") + (SearchDimensions > 0 ? $" on {SearchDimensions} principal components" : "")
        + (Refine ? $", {Candidates} candidates re-ranked exactly" : "");
}
