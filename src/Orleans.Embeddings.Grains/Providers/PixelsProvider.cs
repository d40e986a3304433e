using SkiaSharp;

namespace Orleans.Embeddings.Grains.Providers;

/// <summary>How the pixels provider turns images into vectors.</summary>
public sealed record PixelsProviderOptions
{
    /// <summary>Images are resized to Width x Height before their pixels become the vector (IDX records keep their size).</summary>
    public int Width { get; init; } = 32;

    public int Height { get; init; } = 32;

    /// <summary>One grey value per pixel instead of red, green and blue.</summary>
    public bool Grayscale { get; init; }

    /// <summary>Longest side of the stored thumbnail.</summary>
    public int ThumbnailSize { get; init; } = 64;
}

/// <summary>
/// The offline embedder: an image's own pixels scaled to [0, 1], the classic t-SNE input. Reads IDX records,
/// image files and inline image bytes (PNG, JPEG, WebP, ... through SkiaSharp); URLs need a remote provider.
/// </summary>
public sealed class PixelsProvider(IdxImages idx, PixelsProviderOptions options) : IEmbeddingProvider
{
    public const string ProviderName = "pixels";

    public string Name => ProviderName;

    public async Task<Embedding> Embed(ImageSource source, CancellationToken cancellation)
    {
        switch (source.Kind)
        {
            case ImageSourceKind.IdxRecord:
                var file = idx.Open(source.Location ?? throw new EmbeddingFailedException("An IDX record needs the file's location."));
                var pixels = file.Image(source.Index);
                var vector = new float[pixels.Length];
                for (var i = 0; i < pixels.Length; i++) vector[i] = pixels[i] / 255f;
                return new Embedding(vector, GreyThumbnail(pixels, file.Columns, file.Rows));
            case ImageSourceKind.File:
                var path = source.Location ?? throw new EmbeddingFailedException("A file source needs a path.");
                if (!File.Exists(path)) throw new EmbeddingFailedException($"Image file '{path}' does not exist.");
                return FromEncoded(await File.ReadAllBytesAsync(path, cancellation), path);
            case ImageSourceKind.Inline:
                return FromEncoded(source.Bytes ?? throw new EmbeddingFailedException("An inline source carries no bytes."), "inline image");
            default:
                throw new EmbeddingFailedException($"The pixels provider cannot read a {source.Kind} source; use the vectors or clarifai provider.");
        }
    }

    private Embedding FromEncoded(byte[] encoded, string what)
    {
        using var decoded = Decode(encoded) ?? throw new EmbeddingFailedException($"The {what} is not an image SkiaSharp can decode.");
        using var resized = decoded.Resize(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new EmbeddingFailedException($"The {what} could not be resized.");
        var channels = options.Grayscale ? 1 : 3;
        var vector = new float[options.Width * options.Height * channels];
        var at = 0;
        for (var y = 0; y < options.Height; y++)
            for (var x = 0; x < options.Width; x++)
            {
                var c = resized.GetPixel(x, y);
                if (options.Grayscale)
                    vector[at++] = (0.299f * c.Red + 0.587f * c.Green + 0.114f * c.Blue) / 255f;
                else
                {
                    vector[at++] = c.Red / 255f;
                    vector[at++] = c.Green / 255f;
                    vector[at++] = c.Blue / 255f;
                }
            }
        return new Embedding(vector, Thumbnail(decoded));
    }

    /// <summary>The decoded image, or null: SkiaSharp 4 throws, rather than returning null, when no codec knows the bytes.</summary>
    private static SKBitmap? Decode(byte[] encoded)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(encoded));
        return codec is null ? null : SKBitmap.Decode(codec);
    }

    private byte[] GreyThumbnail(ReadOnlySpan<byte> pixels, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        return Thumbnail(bitmap);
    }

    private byte[] Thumbnail(SKBitmap image)
    {
        var scale = Math.Min(1.0, (double)options.ThumbnailSize / Math.Max(image.Width, image.Height));
        var info = new SKImageInfo(Math.Max(1, (int)(image.Width * scale)), Math.Max(1, (int)(image.Height * scale)), image.ColorType, image.AlphaType);
        using var small = scale < 1 ? image.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)) : null;
        using var data = (small ?? image).Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
