using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>Writes a NumPy .npy of little-endian float32 in C order, shape (N, D), as the vectors provider reads it.</summary>
public static class NpyFile
{
    public static void Write(string path, ReadOnlySpan<float> values, int dimensions)
    {
        var rows = values.Length / dimensions;
        var header = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dimensions}), }}");
        // Magic, version 1.0, header length, header padded with spaces and a newline to a multiple of 64 bytes.
        var padded = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, .. "NUMPY"u8, 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)padded.Length));
        file.Write(Encoding.ASCII.GetBytes(padded));
        file.Write(MemoryMarshal.AsBytes(values));
    }
}
