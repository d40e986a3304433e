using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>
/// A NumPy .npy of shape (N, D), little-endian float32 or float64 in C order; labels from a metadata.tsv. Rows are read
/// from the file as they are sent, so ingesting holds one batch, never the whole file.
/// </summary>
public sealed partial class NpySource : IIngestSource
{
    private readonly string path;
    private readonly MetadataTsv? metadata;
    private readonly string idPrefix;
    private readonly long dataOffset;
    private readonly bool doubles;
    private readonly int rows;
    private readonly int dimensions;

    public NpySource(string path, string? metadataPath, string idPrefix)
    {
        this.path = path;
        this.idPrefix = idPrefix;
        (dataOffset, doubles, rows, dimensions) = ReadHeader(path);
        metadata = metadataPath is null ? null : MetadataTsv.Read(metadataPath);
        if (metadata is not null && metadata.Count != rows)
            throw new InvalidDataException($"'{metadataPath}' describes {metadata.Count} rows, but '{path}' has {rows}.");
    }

    public string Description => $"{rows} vectors of {dimensions} from {Path.GetFileName(path)}";

    public string Provider => "vectors";

    public int? Count => rows;

    public IEnumerable<IngestItem> Items()
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        file.Position = dataOffset;
        var bytes = new byte[dimensions * (doubles ? sizeof(double) : sizeof(float))];
        for (var row = 0; row < rows; row++)
        {
            file.ReadExactly(bytes);
            var vector = new Vector();
            if (doubles)
                foreach (var value in MemoryMarshal.Cast<byte, double>(bytes)) vector.Values.Add((float)value);
            else
                vector.Values.Add(MemoryMarshal.Cast<byte, float>(bytes).ToArray());
            var item = new IngestItem { Id = metadata?.Ids?[row] ?? IngestSources.RowId(idPrefix, row, rows), Vector = vector };
            metadata?.Describe(item, row);
            yield return item;
        }
    }

    private static (long DataOffset, bool Doubles, int Rows, int Dimensions) ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        var prefix = new byte[12];
        var read = file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < 10 || prefix[0] != 0x93 || Encoding.ASCII.GetString(prefix, 1, 5) != "NUMPY")
            throw new InvalidDataException($"'{path}' is not a .npy file.");
        var major = prefix[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(prefix, 8) : (int)BitConverter.ToUInt32(prefix, 8);
        var headerStart = major == 1 ? 10 : 12;
        if (headerLength > 1 << 20) throw new InvalidDataException($"'{path}' has a header of {headerLength} bytes; it is not a .npy file.");
        var headerBytes = new byte[headerLength];
        file.Position = headerStart;
        file.ReadExactly(headerBytes);
        var header = Encoding.ASCII.GetString(headerBytes);
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is in Fortran order; save it in C order.");
        var doubles = header.Contains("'<f8'", StringComparison.Ordinal);
        if (!doubles && !header.Contains("'<f4'", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' must hold little-endian float32 or float64; its header is {header.Trim()}.");
        var shape = Shape().Match(header);
        if (!shape.Success) throw new InvalidDataException($"'{path}' must be two-dimensional (N, D); its header is {header.Trim()}.");
        var rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        var dimensions = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        var dataOffset = (long)headerStart + headerLength;
        if (file.Length - dataOffset < (long)rows * dimensions * (doubles ? 8 : 4))
            throw new InvalidDataException($"'{path}' is shorter than its shape ({rows}, {dimensions}) says.");
        return (dataOffset, doubles, rows, dimensions);
    }

    [GeneratedRegex(@"'shape':\s*\((\d+),\s*(\d+)\)")]
    private static partial Regex Shape();
}
