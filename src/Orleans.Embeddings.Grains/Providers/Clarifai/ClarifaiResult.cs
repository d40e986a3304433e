using Orleans.Embeddings.Grains.Serialization;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Clarifai's answer for one image: its vector (as float32 bytes, one block on the wire), or why Clarifai could not
/// embed this image. A verdict on the image travels as data, not as an exception, so that the image grain records
/// it whatever silo it came from.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClarifaiResult([property: Id(0)] byte[]? VectorBytes, [property: Id(1)] string? Failure)
{
    public float[]? Vector => VectorBytes is null ? null : PackedFloats.Unpack<float>(VectorBytes);

    public static ClarifaiResult Embedded(ReadOnlySpan<float> vector) => new(PackedFloats.Pack(vector), null);

    public static ClarifaiResult Failed(string reason) => new(null, reason);
}
