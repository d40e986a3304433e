using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// Draws the thumbnails into sprite.png as they arrive, so that they need not all be held. The first thumbnail
/// sets the cell size (its longer side, or less when N cells would not fit in <see cref="SpriteLayout.MaxSide"/>);
/// every thumbnail is scaled to fit its cell, keeping its aspect ratio, and centred. Cells of images without a
/// thumbnail stay transparent.
/// </summary>
public sealed class SpriteSheet(int count, int maxSide = SpriteLayout.MaxSide) : IDisposable
{
    private SKBitmap? bitmap;
    private SKCanvas? canvas;

    /// <summary>The grid, known once a thumbnail has been drawn.</summary>
    public SpriteLayout? Layout { get; private set; }

    /// <summary>Thumbnails drawn.</summary>
    public int Drawn { get; private set; }

    /// <summary>Draws image <paramref name="index"/>'s thumbnail; false when its bytes do not decode (its cell stays empty).</summary>
    public bool Draw(int index, byte[] encoded)
    {
        using var image = Decode(encoded);
        if (image is null) return false;
        if (Layout is null)
        {
            Layout = SpriteLayout.For(count, Math.Max(image.Width, image.Height), maxSide)
                ?? throw new InvalidOperationException($"{count} thumbnails do not fit in a sprite of {maxSide} x {maxSide} pixels.");
            bitmap = new SKBitmap(new SKImageInfo(Layout.Side, Layout.Side, SKColorType.Rgba8888, SKAlphaType.Premul));
            bitmap.Erase(SKColors.Transparent);
            canvas = new SKCanvas(bitmap);
        }
        var (x, y) = Layout.Origin(index);
        var scale = Math.Min((float)Layout.Cell / image.Width, (float)Layout.Cell / image.Height);
        var width = image.Width * scale;
        var height = image.Height * scale;
        var left = x + (Layout.Cell - width) / 2;
        var top = y + (Layout.Cell - height) / 2;
        canvas!.DrawImage(image, SKRect.Create(left, top, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        Drawn++;
        return true;
    }

    /// <summary>Writes the sprite as a PNG; false (and no file) when no thumbnail was drawn.</summary>
    public bool Save(string path)
    {
        if (bitmap is null) return false;
        canvas!.Flush();
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
        return true;
    }

    /// <summary>The decoded image, or null: SkiaSharp throws, rather than returning null, when no codec knows the bytes.</summary>
    private static SKImage? Decode(byte[] encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        using var decoded = SKBitmap.Decode(codec);
        return decoded is null ? null : SKImage.FromBitmap(decoded);
    }

    public void Dispose()
    {
        canvas?.Dispose();
        bitmap?.Dispose();
    }
}
