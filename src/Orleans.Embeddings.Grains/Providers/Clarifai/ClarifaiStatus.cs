using System.Text.Json.Serialization;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>A Clarifai status, of a whole response or of one output.</summary>
public sealed record ClarifaiStatus
{
    /// <summary>The numeric code; 0 for a name this provider does not know.</summary>
    [JsonConverter(typeof(ClarifaiStatusCodeConverter))]
    public int Code { get; init; }

    public string? Description { get; init; }

    public string? Details { get; init; }

    public override string ToString() =>
        $"{Code} {Description}{(string.IsNullOrEmpty(Details) ? "" : $" ({Details})")}".Trim();
}
