using System.Buffers.Binary;
using SkiaSharp;

namespace Orleans.Embeddings.Clarifai.Tests;

/// <summary>Small IDX image files, and the grey pixels of a PNG.</summary>
public static class TestIdx
{
    /// <summary>Writes random images as an uncompressed IDX file and returns each image's pixels.</summary>
    public static byte[][] Write(string path, int count, int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var images = Enumerable.Range(0, count).Select(_ =>
        {
            var pixels = new byte[rows * columns];
            random.NextBytes(pixels);
            return pixels;
        }).ToArray();
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        File.WriteAllBytes(path, [.. header, .. images.SelectMany(p => p)]);
        return images;
    }

    /// <summary>The grey values of a PNG, or nothing if the bytes are not one.</summary>
    public static byte[] DecodeGrey(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        if (bitmap is null) return [];
        var grey = new byte[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
                grey[y * bitmap.Width + x] = bitmap.GetPixel(x, y).Red;
        return grey;
    }
}
