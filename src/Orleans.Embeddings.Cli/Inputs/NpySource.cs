using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>A NumPy .npy of shape (N, D), little-endian float32 or float64 in C order; labels from a metadata.tsv.</summary>
public sealed partial class NpySource : IIngestSource
{
    private readonly string path;
    private readonly MetadataTsv? metadata;
    private readonly string idPrefix;
    private readonly float[] values;
    private readonly int rows;
    private readonly int dimensions;

    public NpySource(string path, string? metadataPath, string idPrefix)
    {
        this.path = path;
        this.idPrefix = idPrefix;
        (values, rows, dimensions) = Read(path);
        metadata = metadataPath is null ? null : MetadataTsv.Read(metadataPath);
        if (metadata is not null && metadata.Count != rows)
            throw new InvalidDataException($"'{metadataPath}' describes {metadata.Count} rows, but '{path}' has {rows}.");
    }

    public string Description => $"{rows} vectors of {dimensions} from {Path.GetFileName(path)}";

    public string Provider => "vectors";

    public int? Count => rows;

    public IEnumerable<IngestItem> Items()
    {
        for (var row = 0; row < rows; row++)
        {
            var vector = new Vector();
            vector.Values.Add(values.AsSpan(row * dimensions, dimensions).ToArray());
            var item = new IngestItem { Id = metadata?.Ids?[row] ?? IngestSources.RowId(idPrefix, row, rows), Vector = vector };
            metadata?.Describe(item, row);
            yield return item;
        }
    }

    private static (float[] Values, int Rows, int Dimensions) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"'{path}' is not a .npy file.");
        var major = bytes[6];
        var headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        var headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is in Fortran order; save it in C order.");
        var doubles = header.Contains("'<f8'", StringComparison.Ordinal);
        if (!doubles && !header.Contains("'<f4'", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' must hold little-endian float32 or float64; its header is {header.Trim()}.");
        var shape = Shape().Match(header);
        if (!shape.Success) throw new InvalidDataException($"'{path}' must be two-dimensional (N, D); its header is {header.Trim()}.");
        var rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        var dimensions = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        var data = bytes.AsSpan(headerStart + headerLength);
        var size = (long)rows * dimensions * (doubles ? 8 : 4);
        if (data.Length < size) throw new InvalidDataException($"'{path}' is shorter than its shape ({rows}, {dimensions}) says.");
        var values = doubles
            ? MemoryMarshal.Cast<byte, double>(data[..(int)size]).ToArray().Select(v => (float)v).ToArray()
            : MemoryMarshal.Cast<byte, float>(data[..(int)size]).ToArray();
        return (values, rows, dimensions);
    }

    [GeneratedRegex(@"'shape':\s*\((\d+),\s*(\d+)\)")]
    private static partial Regex Shape();
}
