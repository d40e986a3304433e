using SkiaSharp;

namespace Orleans.Embeddings.Browser.Tests.Support;

/// <summary>Reading a screenshot: drawn pixels, colours, and where a point's dot is.</summary>
public static class Pixels
{
    /// <summary>The page's label colours (src/Orleans.Embeddings.Silo/Web/palette.js), for the first ten labels in ordinal order.</summary>
    public static readonly SKColor[] Palette =
    [
        new(0x4e, 0x79, 0xa7), new(0xf2, 0x8e, 0x2b), new(0xe1, 0x57, 0x59), new(0x76, 0xb7, 0xb2), new(0x59, 0xa1, 0x4f),
        new(0xed, 0xc9, 0x48), new(0xb0, 0x7a, 0xa1), new(0xff, 0x9d, 0xa7), new(0x9c, 0x75, 0x5f), new(0xba, 0xb0, 0xac),
    ];

    public static readonly SKColor Background = SKColors.White;

    /// <summary>Pixels that are not the background.</summary>
    public static int Drawn(SKBitmap bitmap)
    {
        var count = 0;
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y).WithAlpha(255) != Background) count++;
        return count;
    }

    /// <summary>How many pixels of each palette colour there are.</summary>
    public static int[] PaletteCounts(SKBitmap bitmap)
    {
        var counts = new int[Palette.Length];
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
            {
                var index = Array.IndexOf(Palette, bitmap.GetPixel(x, y).WithAlpha(255));
                if (index >= 0) counts[index]++;
            }
        return counts;
    }

    /// <summary>
    /// Pixels in the middle of a dot: a palette colour with the same colour all around, so within a pixel or two of
    /// a point's centre. Sorted by distance from the picture's centre, where the map is densest.
    /// </summary>
    public static List<(int X, int Y)> DotCentres(SKBitmap bitmap)
    {
        var found = new List<(int X, int Y)>();
        for (var y = 2; y < bitmap.Height - 2; y++)
            for (var x = 2; x < bitmap.Width - 2; x++)
            {
                var color = bitmap.GetPixel(x, y).WithAlpha(255);
                if (Array.IndexOf(Palette, color) < 0) continue;
                var inside = true;
                for (var dy = -1; dy <= 1 && inside; dy++)
                    for (var dx = -1; dx <= 1 && inside; dx++)
                        inside = bitmap.GetPixel(x + dx, y + dy).WithAlpha(255) == color;
                if (inside) found.Add((x, y));
            }
        var (cx, cy) = (bitmap.Width / 2, bitmap.Height / 2);
        return [.. found.OrderBy(p => (p.X - cx) * (p.X - cx) + (p.Y - cy) * (p.Y - cy))];
    }
}
