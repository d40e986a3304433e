namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// Everything <see cref="FftRepulsionField"/> needs besides the map: the geometry of the interpolation grid and the
/// potentials at its nodes. Plain numbers and arrays, so a coordinator can build it once per iteration and ship it
/// to machines that hold only the map.
/// <para>
/// The grid covers the square [Origin[d], Origin[d] + BoxesPerDimension * BoxWidth) in each dimension, with
/// PointsPerBox nodes per box and dimension at offsets (k + 1/2) / PointsPerBox of a box. Potentials are stored per
/// node, row-major over the dimensions (first dimension slowest), <see cref="ChargeCount"/> floats per node: the
/// kernel sums of the charges 1, u_1 .. u_D and |u|^2, where u = y - <see cref="Center"/>.
/// </para>
/// </summary>
public sealed record FftPotentialGrid(
    int Dimensions,
    int BoxesPerDimension,
    int PointsPerBox,
    double BoxWidth,
    double[] Origin,
    double DegreesOfFreedom,
    float[] Potentials)
{
    /// <summary>Interpolation nodes per dimension.</summary>
    public int NodesPerDimension => BoxesPerDimension * PointsPerBox;

    /// <summary>Potentials per node: 1, one per coordinate, and the squared norm.</summary>
    public int ChargeCount => Dimensions + 2;

    /// <summary>
    /// Centre of the middle box along <paramref name="dimension"/>, where the map's midpoint lies; charges use
    /// coordinates relative to it, so they stay small and a dimension without spread has u = 0 exactly.
    /// </summary>
    public double Center(int dimension) => Origin[dimension] + (BoxesPerDimension / 2 + 0.5) * BoxWidth;
}
