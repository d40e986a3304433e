using System.Text.Json.Serialization;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>Clarifai's JSON: snake_case names, nulls left out; serializers generated at build time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClarifaiRequest))]
[JsonSerializable(typeof(ClarifaiResponse))]
[JsonSerializable(typeof(ClarifaiStatusEnvelope))]
public sealed partial class ClarifaiJsonContext : JsonSerializerContext;
