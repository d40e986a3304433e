using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Orleans.Embeddings.Clarifai.Tests.Fake;

/// <summary>
/// The vector the fake returns for an input, a function of the input's content alone: an output routed to the
/// wrong image shows as a wrong vector. Values are multiples of 2^-23 in [-1, 1), exact in float32 and in JSON.
/// </summary>
public static class FakeVectors
{
    public const int Dimensions = 1024;

    /// <summary>How the fake names an input: its address, or "bytes:" and the SHA-256 of its decoded bytes.</summary>
    public static string KeyOf(string url) => url;

    public static string KeyOf(byte[] bytes) => "bytes:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static float[] For(string key, int dimensions = Dimensions)
    {
        var state = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var vector = new float[dimensions];
        for (var d = 0; d < dimensions; d++)
        {
            // SplitMix64.
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            vector[d] = (long)(z >> 40) / (float)(1 << 23) - 1f;
        }
        return vector;
    }
}
