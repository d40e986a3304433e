namespace Orleans.Embeddings.Tsne.Fourier;

/// <summary>
/// Two-dimensional complex DFT of a row-major <c>rows x columns</c> planar grid (each 2^k or 3 * 2^k), natural order,
/// as row transforms followed by column transforms. The inverse includes the 1/(rows * columns) factor.
/// </summary>
public static class ComplexFft2D
{
    public static void Forward(Span<float> real, Span<float> imaginary, int rows, int columns) =>
        Transform(real, imaginary, rows, columns, inverse: false);

    public static void Inverse(Span<float> real, Span<float> imaginary, int rows, int columns) =>
        Transform(real, imaginary, rows, columns, inverse: true);

    private static void Transform(Span<float> real, Span<float> imaginary, int rows, int columns, bool inverse)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != real.Length || real.Length != imaginary.Length)
            throw new ArgumentException("The buffers must hold exactly rows x columns elements.", nameof(real));
        ComplexFft.Transform(real, imaginary, columns, rows, elementStride: 1, signalStride: columns, inverse);
        ComplexFft.Transform(real, imaginary, rows, columns, elementStride: columns, signalStride: 1, inverse);
    }
}
