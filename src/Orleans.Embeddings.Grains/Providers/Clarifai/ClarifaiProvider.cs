using Microsoft.Extensions.Options;
using SkiaSharp;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Embeddings from Clarifai's model outputs API (by default the general image embedding model, 1024 dimensions).
/// URLs are sent for Clarifai to download; files, inline bytes and IDX records (as PNG) are sent as base64. The
/// request goes through the content's <see cref="IClarifaiEmbeddingGrain"/>, which answers from storage when the same
/// content was embedded before and otherwise queues it on its silo's <see cref="ClarifaiBatcher"/>.
/// </summary>
public sealed class ClarifaiProvider(IGrainFactory grains, IdxImages idx, IOptions<ClarifaiOptions> options) : IEmbeddingProvider
{
    public const string ProviderName = "clarifai";

    public string Name => ProviderName;

    public async Task<Embedding> Embed(ImageSource source, CancellationToken cancellation)
    {
        var image = await Read(source, cancellation);
        var result = await grains.GetGrain<IClarifaiEmbeddingGrain>(image.ContentKey(options.Value.ModelKey)).Embed(image);
        return result.Vector is { } vector
            ? new Embedding(vector, null)
            : throw new EmbeddingFailedException(result.Failure ?? "Clarifai returned no embedding for this image.");
    }

    private async Task<ClarifaiImage> Read(ImageSource source, CancellationToken cancellation)
    {
        switch (source.Kind)
        {
            case ImageSourceKind.Url:
                return Uri.TryCreate(source.Location, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                    ? ClarifaiImage.FromUrl(source.Location!)
                    : throw new EmbeddingFailedException($"'{source.Location}' is not an http(s) address Clarifai can download.");
            case ImageSourceKind.File:
                var path = source.Location ?? throw new EmbeddingFailedException("A file source needs a path.");
                if (!File.Exists(path)) throw new EmbeddingFailedException($"Image file '{path}' does not exist.");
                if (new FileInfo(path).Length > ClarifaiOptions.MaxImageBytes) throw TooLarge(path);
                return ClarifaiImage.FromBytes(await File.ReadAllBytesAsync(path, cancellation));
            case ImageSourceKind.Inline:
                if (source.Bytes is not { Length: > 0 } bytes) throw new EmbeddingFailedException("An inline source carries no bytes.");
                return bytes.Length <= ClarifaiOptions.MaxImageBytes ? ClarifaiImage.FromBytes(bytes) : throw TooLarge("inline image");
            case ImageSourceKind.IdxRecord:
                var file = idx.Open(source.Location ?? throw new EmbeddingFailedException("An IDX record needs the file's location."));
                return ClarifaiImage.FromBytes(Png(file.Image(source.Index), file.Columns, file.Rows));
            default:
                throw new EmbeddingFailedException($"The clarifai provider embeds images, not {source.Kind} sources; use the vectors provider.");
        }
    }

    private static EmbeddingFailedException TooLarge(string what) =>
        new($"The {what} is larger than the {ClarifaiOptions.MaxImageBytes / (1024 * 1024)} MB Clarifai accepts.");

    private static byte[] Png(ReadOnlySpan<byte> pixels, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        pixels.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
