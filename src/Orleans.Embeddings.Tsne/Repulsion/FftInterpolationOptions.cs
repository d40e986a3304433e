namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// Grid resolution of <see cref="FftRepulsionField"/> (Linderman et al. 2019): the map's bounding square is cut into
/// max(<see cref="MinBoxesPerDimension"/>, extent * <see cref="BoxesPerUnitLength"/>) boxes per dimension (at most
/// <see cref="MaxBoxesPerDimension"/>), each with <see cref="InterpolationPointsPerBox"/> equispaced Lagrange nodes
/// per dimension. The box count is then rounded up to fill the FFT (2^k or 3 * 2^k points) the grid needs anyway,
/// which only makes the interpolation finer. 1-D maps get at least 512 boxes, since their FFT costs next to nothing.
/// The defaults are FIt-SNE's: force errors of a few parts in a thousand, up to about 1-2% on very tight clusters
/// (spread ~1 unit) when the rounding adds little; raise <see cref="BoxesPerUnitLength"/> for more (error ~ width^3).
/// </summary>
public sealed record FftInterpolationOptions
{
    public static FftInterpolationOptions Default { get; } = new();

    /// <summary>Lagrange nodes per box and dimension (polynomial degree + 1), 1 to 16.</summary>
    public int InterpolationPointsPerBox { get; init; } = 3;

    /// <summary>Lower bound on boxes per dimension, so small maps are still resolved finely.</summary>
    public int MinBoxesPerDimension { get; init; } = 50;

    /// <summary>Boxes per unit of map length; the kernel varies on a scale of about one unit.</summary>
    public double BoxesPerUnitLength { get; init; } = 1;

    /// <summary>
    /// Upper bound on the requested boxes per dimension (before rounding up to the FFT size). Memory and time grow
    /// with its square in 2-D (1024 boxes: a 6144-point FFT per axis and several hundred megabytes); past it a very
    /// spread-out map gets a coarser grid instead. openTSNE caps at 1000.
    /// </summary>
    public int MaxBoxesPerDimension { get; init; } = 1024;
}
