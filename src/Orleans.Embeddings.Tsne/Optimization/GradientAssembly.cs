namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// One shard's rows of the gradient (divided by 4, openTSNE's convention): exaggeration x the attractive forces less
/// the repulsive forces over Z, dC/dy_i / 4 = sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z.
/// </summary>
public static class GradientAssembly
{
    public static void Assemble(float[] attraction, float[] repulsion, double z, double exaggeration, float[] gradient)
    {
        for (var at = 0; at < gradient.Length; at++)
            gradient[at] = (float)(exaggeration * attraction[at] - repulsion[at] / z);
    }

    /// <summary>KL(P || Q) = sum p log p - sum p log w + log Z, from the entropy term, the shards' sums p log w and Z.</summary>
    public static double KlDivergence(double entropyTerm, double logWeightSum, double z) => entropyTerm - logWeightSum + Math.Log(z);
}
