using SkiaSharp;

namespace Orleans.Embeddings.Cli.Rendering;

/// <summary>
/// The colour of each label, the same as the map page's (src/Orleans.Embeddings.Silo/Web/palette.js): labels in
/// ordinal order take Tableau's ten colours, then hues a golden angle apart; points without a label are dark grey.
/// </summary>
public static class LabelPalette
{
    public static IReadOnlyList<SKColor> Tableau { get; } =
    [
        new(0x4e, 0x79, 0xa7), new(0xf2, 0x8e, 0x2b), new(0xe1, 0x57, 0x59), new(0x76, 0xb7, 0xb2), new(0x59, 0xa1, 0x4f),
        new(0xed, 0xc9, 0x48), new(0xb0, 0x7a, 0xa1), new(0xff, 0x9d, 0xa7), new(0x9c, 0x75, 0x5f), new(0xba, 0xb0, 0xac),
    ];

    public static SKColor Unlabelled { get; } = new(0x55, 0x55, 0x55);

    /// <summary>The colour of the label at <paramref name="index"/> in ordinal order.</summary>
    public static SKColor Color(int index) =>
        index < Tableau.Count ? Tableau[index] : SKColor.FromHsl((float)(index * 137.508 % 360), 55, 55);
}
