namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>What a Projector export shows of one image: its metadata row and its thumbnail in the sprite.</summary>
/// <param name="Source">Where the image came from, as its grain describes it.</param>
/// <param name="Thumbnail">Encoded image bytes (PNG), or null when the provider made none.</param>
public sealed record ProjectorImage(
    string Id,
    IReadOnlyList<string> Labels,
    string Source,
    IReadOnlyDictionary<string, string> Metadata,
    byte[]? Thumbnail);
