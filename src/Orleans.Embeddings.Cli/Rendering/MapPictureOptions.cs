namespace Orleans.Embeddings.Cli.Rendering;

/// <summary>How the map is drawn.</summary>
/// <param name="PointRadius">Dots' radius in pixels; null: from the number of points (smaller for more).</param>
/// <param name="ThumbnailSize">The longer side of a thumbnail drawn in place of a dot.</param>
public sealed record MapPictureOptions(int Width = 1600, int Height = 1200, float? PointRadius = null, int ThumbnailSize = 32, string Title = "")
{
    public const int MinWidth = 400;

    public const int MinHeight = 300;
}
