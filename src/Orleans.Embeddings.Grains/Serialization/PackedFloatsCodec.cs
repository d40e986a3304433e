using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Orleans.Embeddings.Grains.Serialization;

/// <summary>
/// Writes <see cref="PackedFloats"/> as one length-prefixed block of bytes and reads it into a pooled buffer. The
/// blocks of an iteration (a partition's rows, the forces on them) are megabytes each and arrive every iteration; a
/// fresh array for each is a fresh large-object allocation, whose pages the kernel faults in and zeroes every time
/// (a tenth of the silos' time through a 250,000-point job's iterations, measured with perf). Pooled, the same few
/// buffers serve every iteration.
/// </summary>
[RegisterSerializer]
public sealed class PackedFloatsCodec : IFieldCodec<PackedFloats>
{
    // Blocks above the largest size are allocated and left to the garbage collector.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 64 << 20, maxArraysPerBucket: 16);

    internal static void Return(byte[] block) => Pool.Return(block);

    [return: MaybeNull]
    public PackedFloats ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference) return ReferenceCodec.ReadReference<PackedFloats, TInput>(ref reader, field);
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = checked((int)reader.ReadVarUInt32());
        var block = Pool.Rent(length);
        reader.ReadBytes(block.AsSpan(0, length));
        var value = PackedFloats.FromPool(block, length);
        ReferenceCodec.RecordObject(reader.Session, value);
        return value;
    }

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [AllowNull] Type expectedType, [AllowNull] PackedFloats value)
        where TBufferWriter : IBufferWriter<byte>
    {
        // Writes null and repeated references; what is left is a value.
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value)) return;
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(PackedFloats), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)value!.ByteCount);
        writer.Write(value.Bytes);
    }
}
