using Orleans.Embeddings.Clarifai.Tests.Fake;

namespace Orleans.Embeddings.Clarifai.Tests;

/// <summary>Image descriptions whose content is unique to the test that makes them, and the vectors the fake gives them.</summary>
public static class TestImages
{
    public static ImageDescription Url(string id, string url) =>
        new(id, new ImageSource(ImageSourceKind.Url, url), [], new Dictionary<string, string>());

    public static ImageDescription Inline(string id, byte[] bytes) =>
        new(id, new ImageSource(ImageSourceKind.Inline, Bytes: bytes), [], new Dictionary<string, string>());

    public static ImageDescription File(string id, string path) =>
        new(id, new ImageSource(ImageSourceKind.File, path), [], new Dictionary<string, string>());

    /// <summary>Addresses https://images.test/{test}/{i}.jpg, ids {test}-{i}.</summary>
    public static ImageDescription[] Urls(string test, int count, int first = 0) =>
        [.. Enumerable.Range(first, count).Select(i => Url($"{test}-{i:D4}", $"https://images.test/{test}/{i}.jpg"))];

    /// <summary>Some bytes that no other test sends (the fake does not decode them).</summary>
    public static byte[] Bytes(string test, int index, int length = 600)
    {
        var bytes = new byte[length];
        new Random(HashCode.Combine(test.GetHashCode(StringComparison.Ordinal), index)).NextBytes(bytes);
        System.Text.Encoding.ASCII.GetBytes($"{test}/{index}").CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>The fake's key for an image's content.</summary>
    public static string KeyOf(ImageDescription image) => image.Source.Kind switch
    {
        ImageSourceKind.Url => FakeVectors.KeyOf(image.Source.Location!),
        ImageSourceKind.Inline => FakeVectors.KeyOf(image.Source.Bytes!),
        ImageSourceKind.File => FakeVectors.KeyOf(System.IO.File.ReadAllBytes(image.Source.Location!)),
        _ => throw new ArgumentException($"No content key for {image.Source.Kind} sources."),
    };

    public static float[] ExpectedVector(ImageDescription image) => FakeVectors.For(KeyOf(image));
}
