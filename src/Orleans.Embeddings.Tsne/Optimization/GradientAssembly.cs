namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// The coordinator's reduction: Z is the sum of every row's share taken in row order, and each row's gradient
/// (divided by 4, the step's convention) is exaggeration x attraction - repulsion / Z. Nothing here depends on
/// how the rows were sharded.
/// </summary>
public static class GradientAssembly
{
    public static IterationResult Assemble(IReadOnlyList<ShardForces> shards, float[] gradient, int dimensions, double exaggeration, double entropyTerm)
    {
        var ordered = shards.OrderBy(s => s.Start).ToArray();
        double z = 0;
        foreach (var shard in ordered)
            foreach (var share in shard.ZShares)
                z += share;
        z = Math.Max(z, double.Epsilon);

        foreach (var shard in ordered)
        {
            var offset = shard.Start * dimensions;
            for (var at = 0; at < shard.Attraction.Length; at++)
                gradient[offset + at] = (float)(exaggeration * shard.Attraction[at] - shard.Repulsion[at] / z);
        }

        double? kl = null;
        if (ordered.All(s => s.LogWeightSum.HasValue))
            kl = entropyTerm - ordered.Sum(s => s.LogWeightSum!.Value) + Math.Log(z);
        return new IterationResult(gradient, z, kl);
    }
}
