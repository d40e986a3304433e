namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// Where each thumbnail goes in sprite.png: a square grid of <see cref="Columns"/> x <see cref="Columns"/> square
/// cells, filled row-major from the top left, the whole image square and at most <see cref="MaxSide"/> pixels a
/// side (the projectors' limit). Cells are as large as the thumbnails, or smaller when N of them would not fit.
/// The projectors find the grid by dividing the image's width by the cell's: the image is exactly
/// <see cref="Columns"/> cells wide.
/// </summary>
public sealed record SpriteLayout(int Count, int Columns, int Cell)
{
    public const int MaxSide = 8192;

    /// <summary>Pixels on each side of the sprite.</summary>
    public int Side => Columns * Cell;

    /// <summary>
    /// The layout of <paramref name="count"/> thumbnails of at most <paramref name="thumbnailSide"/> pixels a side,
    /// or null when even one-pixel cells would not fit (more than <paramref name="maxSide"/> squared images).
    /// </summary>
    public static SpriteLayout? For(int count, int thumbnailSide, int maxSide = MaxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(thumbnailSide, 1);
        var columns = (int)Math.Ceiling(Math.Sqrt(count));
        // Math.Sqrt may round a perfect square's root up or down by an ulp; settle on the least that fits.
        while (columns > 1 && (long)(columns - 1) * (columns - 1) >= count) columns--;
        while ((long)columns * columns < count) columns++;
        var cell = Math.Min(thumbnailSide, maxSide / columns);
        return cell < 1 ? null : new SpriteLayout(count, columns, cell);
    }

    /// <summary>The top-left pixel of thumbnail <paramref name="index"/>'s cell.</summary>
    public (int X, int Y) Origin(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return (index % Columns * Cell, index / Columns * Cell);
    }
}
