using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Embeddings.Grains.Providers;

/// <summary>
/// Precomputed vector files, read once per silo: a Projector-style tensors.tsv (one row of tab-separated floats per
/// image) or a NumPy .npy of little-endian float32 in C order, shape (N, D).
/// </summary>
public sealed partial class VectorFiles
{
    private readonly ConcurrentDictionary<string, Lazy<(float[] Values, int Dimensions)>> files = new(StringComparer.Ordinal);

    public ReadOnlySpan<float> Row(string path, int index)
    {
        var (values, dimensions) = files.GetOrAdd(Path.GetFullPath(path), p => new(() => Read(p))).Value;
        var rows = values.Length / dimensions;
        if (index < 0 || index >= rows) throw new EmbeddingFailedException($"Row {index} is outside the {rows} rows of '{path}'.");
        return values.AsSpan(index * dimensions, dimensions);
    }

    /// <summary>A whole vector file, .npy or tensors.tsv, as row-major values.</summary>
    public static (float[] Values, int Dimensions) Read(string path)
    {
        if (!File.Exists(path)) throw new EmbeddingFailedException($"Vector file '{path}' does not exist.");
        try
        {
            return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? ReadNpy(path) : TensorTsvFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new EmbeddingFailedException(e.Message, e);
        }
    }

    // The rows are read straight into the array they are returned in: a large file is never held twice.
    private static (float[], int) ReadNpy(string path)
    {
        using var file = File.OpenRead(path);
        var prefix = new byte[12];
        if (file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < 10 || prefix[0] != 0x93 || Encoding.ASCII.GetString(prefix, 1, 5) != "NUMPY")
            throw new EmbeddingFailedException($"'{path}' is not a .npy file.");
        var major = prefix[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(prefix, 8) : (int)BitConverter.ToUInt32(prefix, 8);
        var headerStart = major == 1 ? 10 : 12;
        if (headerLength > 1 << 20) throw new EmbeddingFailedException($"'{path}' has a header of {headerLength} bytes; it is not a .npy file.");
        var headerBytes = new byte[headerLength];
        file.Position = headerStart;
        file.ReadExactly(headerBytes);
        var header = Encoding.ASCII.GetString(headerBytes);
        if (!header.Contains("'<f4'", StringComparison.Ordinal) || header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new EmbeddingFailedException($"'{path}' must hold little-endian float32 ('<f4') in C order; its header is {header.Trim()}.");
        var shape = Shape().Match(header);
        if (!shape.Success) throw new EmbeddingFailedException($"'{path}' must be two-dimensional (N, D); its header is {header.Trim()}.");
        var rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        var dimensions = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        if (file.Length - file.Position < (long)rows * dimensions * 4) throw new EmbeddingFailedException($"'{path}' is shorter than its shape says.");
        var values = new float[(long)rows * dimensions];
        file.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return (values, dimensions);
    }

    [GeneratedRegex(@"'shape':\s*\((\d+),\s*(\d+)\)")]
    private static partial Regex Shape();
}

/// <summary>Embeddings computed elsewhere: a row of a vector file (a VectorRow source) or carried by the source itself (Vector).</summary>
public sealed class VectorsProvider(VectorFiles files) : IEmbeddingProvider
{
    public const string ProviderName = "vectors";

    public string Name => ProviderName;

    public Task<Embedding> Embed(ImageSource source, CancellationToken cancellation) => source.Kind switch
    {
        ImageSourceKind.VectorRow => Task.FromResult(new Embedding(files.Row(source.Location ?? throw new EmbeddingFailedException("A vector row needs the file's location."), source.Index).ToArray(), null)),
        ImageSourceKind.Vector => Task.FromResult(new Embedding(Serialization.PackedFloats.Unpack<float>(source.Bytes ?? throw new EmbeddingFailedException("A vector source carries no values.")), null)),
        _ => throw new EmbeddingFailedException($"The vectors provider reads VectorRow and Vector sources, not {source.Kind}."),
    };
}
