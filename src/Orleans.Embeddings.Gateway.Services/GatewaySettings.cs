namespace Orleans.Embeddings.Gateway;

/// <summary>The <c>Embeddings:Gateway</c> configuration section.</summary>
public sealed class GatewaySettings
{
    public const string Section = "Embeddings:Gateway";

    /// <summary>
    /// Keys that callers present as <c>x-api-key: KEY</c>, <c>authorization: Bearer KEY</c> or HTTP Basic with the
    /// key as password. None (the default): the gRPC services and the dashboard are open.
    /// </summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>Largest request message, in bytes; a larger one is refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest k of a neighbour search.</summary>
    public int MaxNeighbors { get; set; } = 1000;

    /// <summary>Most queries in one batch search.</summary>
    public int MaxBatchQueries { get; set; } = 1000;

    /// <summary>Most items in one message of an ingest stream (one batch that is applied as a whole).</summary>
    public int MaxIngestBatch { get; set; } = 4096;

    /// <summary>Each setting out of its range, for <see cref="SettingsValidation"/>.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxMessageBytes < 1024) yield return $"{nameof(MaxMessageBytes)} must be at least 1024; it is {MaxMessageBytes}";
        if (MaxNeighbors < 1) yield return $"{nameof(MaxNeighbors)} must be at least 1; it is {MaxNeighbors}";
        if (MaxBatchQueries < 1) yield return $"{nameof(MaxBatchQueries)} must be at least 1; it is {MaxBatchQueries}";
        if (MaxIngestBatch < 1) yield return $"{nameof(MaxIngestBatch)} must be at least 1; it is {MaxIngestBatch}";
    }

    public bool AuthenticationEnabled => ApiKeys.Any(key => !string.IsNullOrEmpty(key));
}
