using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// Writes one tensor, row by row, in both forms the projectors read: a TSV (tab-separated floats, one row per
/// line, no header) and raw little-endian float32 bytes (row-major; the config's shape says how to cut it).
/// Floats are written in round-trip form, so both files read back bit for bit.
/// </summary>
public sealed class TensorWriter : IDisposable
{
    private readonly StreamWriter tsv;
    private readonly FileStream bytes;
    private readonly StringBuilder line = new();

    public TensorWriter(string tsvPath, string bytesPath, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        tsv = new StreamWriter(tsvPath, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        bytes = new FileStream(bytesPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public int Dimensions { get; }

    public int Rows { get; private set; }

    /// <summary>Appends whole rows (a multiple of <see cref="Dimensions"/> values).</summary>
    public void Append(ReadOnlySpan<float> rows)
    {
        if (rows.Length % Dimensions != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {Dimensions}.", nameof(rows));
        for (var at = 0; at < rows.Length; at += Dimensions)
        {
            var row = rows.Slice(at, Dimensions);
            line.Clear();
            for (var d = 0; d < row.Length; d++)
            {
                if (!float.IsFinite(row[d])) throw new ArgumentException($"Row {Rows}, value {d} is {row[d]}; tensors hold finite numbers.", nameof(rows));
                if (d > 0) line.Append('\t');
                line.Append(row[d].ToString("R", CultureInfo.InvariantCulture));
            }
            tsv.WriteLine(line);
            WriteBytes(row);
            Rows++;
        }
    }

    private void WriteBytes(ReadOnlySpan<float> row)
    {
        if (BitConverter.IsLittleEndian)
        {
            bytes.Write(MemoryMarshal.AsBytes(row));
            return;
        }
        Span<byte> value = stackalloc byte[sizeof(float)];
        foreach (var x in row)
        {
            BinaryPrimitives.WriteSingleLittleEndian(value, x);
            bytes.Write(value);
        }
    }

    public void Dispose()
    {
        tsv.Dispose();
        bytes.Dispose();
    }
}
