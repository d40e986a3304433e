using SkiaSharp;

namespace Orleans.Embeddings.Cli.Rendering;

/// <summary>
/// A sans-serif typeface for the picture's text. SkiaSharp's Linux build without dependencies has no fontconfig, so
/// its default typeface draws no glyphs: the usual fonts are looked for by family and then by file. On a machine with
/// no fonts at all the text is left out and the picture is still drawn.
/// </summary>
public static class Typefaces
{
    private static readonly string[] Families = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    private static readonly string[] Files =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly Lazy<SKTypeface> Found = new(Find);

    public static SKTypeface Sans => Found.Value;

    private static SKTypeface Find()
    {
        foreach (var family in Families)
            if (SKFontManager.Default.MatchFamily(family) is { } typeface && DrawsText(typeface)) return typeface;
        foreach (var file in Files.Where(File.Exists))
            if (SKTypeface.FromFile(file) is { } typeface && DrawsText(typeface)) return typeface;
        return SKTypeface.Default;
    }

    private static bool DrawsText(SKTypeface typeface)
    {
        using var font = new SKFont(typeface);
        return font.GetGlyphs("Aa").All(glyph => glyph != 0);
    }
}
