namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The heavy-tailed output kernel of t-SNE, w = (1 + d^2 / a)^-a, for a degrees of freedom (a = 1: Cauchy, the
/// standard t-SNE kernel). Lower a gives heavier tails and more separated clusters (Kobak et al. 2019).
/// </summary>
public readonly record struct StudentKernel(double DegreesOfFreedom)
{
    public static StudentKernel Cauchy { get; } = new(1);

    public bool IsCauchy => DegreesOfFreedom == 1;

    /// <summary>w for a squared distance.</summary>
    public double Weight(double squaredDistance) =>
        IsCauchy ? 1 / (1 + squaredDistance) : Math.Pow(1 + squaredDistance / DegreesOfFreedom, -DegreesOfFreedom);

    /// <summary>w^((a+1)/a), the weight of a pair in the repulsive force.</summary>
    public double ForceWeight(double squaredDistance)
    {
        if (IsCauchy)
        {
            var w = 1 / (1 + squaredDistance);
            return w * w;
        }
        return Math.Pow(1 + squaredDistance / DegreesOfFreedom, -(DegreesOfFreedom + 1));
    }

    /// <summary>w^(1/a), the weight of a pair in the attractive force.</summary>
    public double AttractionWeight(double squaredDistance) =>
        1 / (1 + squaredDistance / DegreesOfFreedom);
}
