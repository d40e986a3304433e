namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The interpolation grid of one iteration of <see cref="FftRepulsionField"/>, planned from the map's bounds alone
/// (<see cref="FftRepulsionField.PlanGrid"/>), so that every shard can spread its own rows onto the same grid.
/// The grid covers [Origin[d], Origin[d] + BoxesPerDimension * BoxWidth) in each dimension with PointsPerBox nodes
/// per box and dimension; its circulant embedding has FftLength points per axis.
/// </summary>
/// <param name="Extent">The map's largest spread over the dimensions, which scales the charges for the FFT.</param>
public sealed record FftGridGeometry(
    int Dimensions,
    int BoxesPerDimension,
    int PointsPerBox,
    double BoxWidth,
    double[] Origin,
    int FftLength,
    double Extent)
{
    /// <summary>Interpolation nodes per dimension.</summary>
    public int NodesPerDimension => BoxesPerDimension * PointsPerBox;

    /// <summary>Charges (and potentials) per node: 1, one per coordinate, and the squared norm.</summary>
    public int ChargeCount => Dimensions + 2;

    /// <summary>Floats in one charge or potential grid.</summary>
    public int GridLength => ChargeCount * (Dimensions == 1 ? NodesPerDimension : NodesPerDimension * NodesPerDimension);

    /// <summary>The grid of this geometry with its node potentials for a kernel of <paramref name="degreesOfFreedom"/>.</summary>
    public FftPotentialGrid WithPotentials(double degreesOfFreedom, float[] potentials) =>
        new(Dimensions, BoxesPerDimension, PointsPerBox, BoxWidth, Origin, degreesOfFreedom, potentials);

    /// <summary>Centre of the middle box along <paramref name="dimension"/>; charges use coordinates relative to it.</summary>
    public double Center(int dimension) => Origin[dimension] + (BoxesPerDimension / 2 + 0.5) * BoxWidth;
}
