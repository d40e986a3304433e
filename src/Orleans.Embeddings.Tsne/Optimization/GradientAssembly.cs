namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The coordinator's reduction: each row's gradient (divided by 4, the step's convention) is
/// exaggeration x attraction - repulsion / Z, and the KL divergence adds up the shards' sums in row order.
/// Nothing here depends on how the rows were sharded.
/// </summary>
public static class GradientAssembly
{
    public static IterationResult Assemble(
        IReadOnlyList<ShardAttraction> shards, RepulsiveForces repulsion, float[] gradient, int dimensions, double exaggeration, double entropyTerm)
    {
        var ordered = shards.OrderBy(s => s.Start).ToArray();
        var z = repulsion.Z();
        var repulsive = repulsion.Forces;
        foreach (var shard in ordered)
        {
            var offset = shard.Start * dimensions;
            for (var at = 0; at < shard.Forces.Length; at++)
                gradient[offset + at] = (float)(exaggeration * shard.Forces[at] - repulsive[offset + at] / z);
        }

        double? kl = null;
        if (ordered.All(s => s.LogWeightSum.HasValue))
            kl = entropyTerm - ordered.Sum(s => s.LogWeightSum!.Value) + Math.Log(z);
        return new IterationResult(gradient, z, kl);
    }
}
