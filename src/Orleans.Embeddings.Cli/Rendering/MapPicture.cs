using System.Globalization;
using SkiaSharp;

namespace Orleans.Embeddings.Cli.Rendering;

/// <summary>
/// Draws a map as a picture: every point a dot coloured by its label, optionally thumbnails in place of the dots of
/// some points (outlined in their label's colour), a title, and a legend down the right side with each label's
/// colour and count. The map keeps its aspect ratio and fills the plot area.
/// </summary>
public static class MapPicture
{
    public static SKColor Background { get; } = SKColors.White;

    public static SKColor Ink { get; } = new(0x22, 0x22, 0x22);

    private const int Margin = 20;

    private const int TitleHeight = 32;

    private const int LegendRow = 22;

    private const int Swatch = 14;

    /// <summary>The legend's width: a quarter of the picture, between 180 and 280 pixels.</summary>
    public static int LegendWidth(int width) => Math.Clamp(width / 4, 180, 280);

    /// <summary>Where the legend's swatch of entry <paramref name="row"/> is: its left, top, and side.</summary>
    public static SKRectI SwatchRect(int width, int row)
    {
        var left = width - LegendWidth(width) + 10;
        var top = Margin + TitleHeight + row * LegendRow;
        return SKRectI.Create(left, top, Swatch, Swatch);
    }

    /// <param name="thumbnails">Encoded thumbnails of the points drawn as pictures, by point index.</param>
    public static SKBitmap Draw(MapPoints points, IReadOnlyDictionary<int, byte[]> thumbnails, MapPictureOptions options)
    {
        if (options.Width < MapPictureOptions.MinWidth || options.Height < MapPictureOptions.MinHeight)
            throw new ArgumentException($"A picture is at least {MapPictureOptions.MinWidth} x {MapPictureOptions.MinHeight} pixels.");
        var bitmap = new SKBitmap(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(Background);
        using var font = new SKFont(Typefaces.Sans, 14);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        canvas.DrawText(options.Title, Margin, Margin + 16, SKTextAlign.Left, font, ink);

        var plot = SKRect.Create(Margin, Margin + TitleHeight, options.Width - LegendWidth(options.Width) - 2 * Margin,
            options.Height - TitleHeight - 2 * Margin);
        var place = Placement(points, plot);
        DrawPoints(canvas, points, place, options.PointRadius ?? AutoRadius(points.Count));
        DrawThumbnails(canvas, points, thumbnails, place, options.ThumbnailSize);
        DrawLegend(canvas, points, options, font, ink);
        canvas.Flush();
        return bitmap;
    }

    public static void Save(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>Dots shrink as points multiply, so that dense regions stay readable: 4 px for a few thousand, 1 px near 100,000.</summary>
    public static float AutoRadius(int count) => Math.Clamp(300f / MathF.Sqrt(Math.Max(1, count)), 1f, 4f);

    /// <summary>Map coordinates to pixels: uniform scale, centred in the plot.</summary>
    private static Func<int, SKPoint> Placement(MapPoints points, SKRect plot)
    {
        float minX = float.MaxValue, maxX = float.MinValue, minY = float.MaxValue, maxY = float.MinValue;
        for (var i = 0; i < points.Count; i++)
        {
            minX = Math.Min(minX, points.X(i));
            maxX = Math.Max(maxX, points.X(i));
            minY = Math.Min(minY, points.Y(i));
            maxY = Math.Max(maxY, points.Y(i));
        }
        if (points.Count == 0) (minX, maxX, minY, maxY) = (0, 1, 0, 1);
        var spanX = Math.Max(maxX - minX, 1e-12f);
        var spanY = Math.Max(maxY - minY, 1e-12f);
        var scale = Math.Min(plot.Width / spanX, plot.Height / spanY);
        var offsetX = plot.Left + (plot.Width - spanX * scale) / 2;
        var offsetY = plot.Top + (plot.Height - spanY * scale) / 2;
        // Screen y grows downwards; the map's y grows upwards.
        return i => new SKPoint(offsetX + (points.X(i) - minX) * scale, offsetY + (maxY - points.Y(i)) * scale);
    }

    private static void DrawPoints(SKCanvas canvas, MapPoints points, Func<int, SKPoint> place, float radius)
    {
        // A fixed shuffle, so that no label is always drawn over the others where they overlap.
        var order = Enumerable.Range(0, points.Count).ToArray();
        new Random(1).Shuffle(order);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        foreach (var i in order)
        {
            paint.Color = ColorOf(points.Labels[i]);
            canvas.DrawCircle(place(i), radius, paint);
        }
    }

    private static void DrawThumbnails(SKCanvas canvas, MapPoints points, IReadOnlyDictionary<int, byte[]> thumbnails, Func<int, SKPoint> place, int size)
    {
        using var border = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = true };
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        foreach (var (point, encoded) in thumbnails.OrderBy(t => t.Key))
        {
            using var image = Decode(encoded);
            if (image is null) continue;
            var scale = (float)size / Math.Max(image.Width, image.Height);
            var (width, height) = (image.Width * scale, image.Height * scale);
            var centre = place(point);
            var rect = SKRect.Create(centre.X - width / 2, centre.Y - height / 2, width, height);
            canvas.DrawImage(image, rect, sampling);
            border.Color = ColorOf(points.Labels[point]);
            canvas.DrawRect(rect, border);
        }
    }

    private static void DrawLegend(SKCanvas canvas, MapPoints points, MapPictureOptions options, SKFont font, SKPaint ink)
    {
        var entries = points.LabelNames.Select((name, i) => (Name: name, Count: points.LabelCounts[i], Color: LabelPalette.Color(i))).ToList();
        var unlabelled = points.Labels.Count(l => l < 0);
        if (unlabelled > 0) entries.Add(("(no label)", unlabelled, LabelPalette.Unlabelled));
        var rows = Math.Max(1, (options.Height - SwatchRect(options.Width, 0).Top - Margin) / LegendRow);
        var shown = entries.Count <= rows ? entries.Count : rows - 1;
        using var swatch = new SKPaint { Style = SKPaintStyle.Fill };
        var textWidth = LegendWidth(options.Width) - Swatch - 30;
        for (var row = 0; row < shown; row++)
        {
            var rect = SwatchRect(options.Width, row);
            swatch.Color = entries[row].Color;
            canvas.DrawRect(rect, swatch);
            var text = Fit($"{entries[row].Name} ({entries[row].Count.ToString("N0", CultureInfo.InvariantCulture)})", font, textWidth);
            canvas.DrawText(text, rect.Right + 8, rect.Bottom - 2, SKTextAlign.Left, font, ink);
        }
        if (shown < entries.Count)
        {
            var rect = SwatchRect(options.Width, shown);
            canvas.DrawText($"+ {entries.Count - shown} more labels", rect.Left, rect.Bottom - 2, SKTextAlign.Left, font, ink);
        }
    }

    /// <summary>The text, cut with an ellipsis to fit <paramref name="width"/> pixels.</summary>
    private static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        while (text.Length > 1 && font.MeasureText(text + "…") > width) text = text[..^1];
        return text + "…";
    }

    private static SKColor ColorOf(int label) => label < 0 ? LabelPalette.Unlabelled : LabelPalette.Color(label);

    /// <summary>The decoded image, or null: SkiaSharp throws, rather than returning null, when no codec knows the bytes.</summary>
    private static SKImage? Decode(byte[] encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        using var bitmap = SKBitmap.Decode(codec);
        return bitmap is null ? null : SKImage.FromBitmap(bitmap);
    }
}
