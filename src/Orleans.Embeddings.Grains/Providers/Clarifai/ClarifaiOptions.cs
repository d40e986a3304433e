namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Where the clarifai provider sends images and how hard it may push: bound from <see cref="Section"/>. A class
/// rather than a record so that nothing ever prints the token by printing the options.
/// </summary>
public sealed class ClarifaiOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string Section = "Embeddings:Clarifai";

    /// <summary>The environment variable Clarifai's own tools read the token from, used when the section has none.</summary>
    public const string PatVariable = "CLARIFAI_PAT";

    /// <summary>Clarifai accepts at most this many inputs in one request.</summary>
    public const int MaxInputsPerRequest = 128;

    /// <summary>Clarifai accepts images of at most this many bytes.</summary>
    public const int MaxImageBytes = 20 * 1024 * 1024;

    public string BaseUrl { get; set; } = "https://api.clarifai.com";

    public string UserId { get; set; } = "clarifai";

    public string AppId { get; set; } = "main";

    public string ModelId { get; set; } = "general-image-embedding";

    /// <summary>A model version id, or empty for the model's latest version.</summary>
    public string VersionId { get; set; } = "";

    /// <summary>The personal access token, sent as "Authorization: Key PAT"; never logged.</summary>
    public string Pat { get; set; } = "";

    /// <summary>The length every returned vector must have; 0 accepts any length.</summary>
    public int Dimensions { get; set; } = 1024;

    /// <summary>Inputs per request, at most <see cref="MaxInputsPerRequest"/>.</summary>
    public int MaxBatchSize { get; set; } = MaxInputsPerRequest;

    /// <summary>
    /// Image bytes (as sent, base64) one request may carry; a batch closes early rather than exceed it. 128 images of
    /// up to 20 MB each would otherwise make a request of gigabytes.
    /// </summary>
    public long MaxBatchBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Requests per second this silo sends, retries included. Clarifai's default limit of 15 is per account: with
    /// several silos, give each its share.
    /// </summary>
    public double RequestsPerSecond { get; set; } = 15;

    /// <summary>Requests in flight at once from this silo.</summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary>How long the first image of a batch waits for others to join it before the batch is sent anyway.</summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Retries of a throttled or failed request (and of an image whose output said to try again) before giving up for now.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it counts as failed and is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The model's outputs endpoint, relative to <see cref="BaseUrl"/>.</summary>
    public string OutputsPath =>
        $"v2/users/{Uri.EscapeDataString(UserId)}/apps/{Uri.EscapeDataString(AppId)}/models/{Uri.EscapeDataString(ModelId)}"
        + (string.IsNullOrEmpty(VersionId) ? "" : $"/versions/{Uri.EscapeDataString(VersionId)}") + "/outputs";

    /// <summary>Names the model whose vectors these are: content embedded by another model is embedded again.</summary>
    public string ModelKey => $"{UserId}/{AppId}/{ModelId}/{(string.IsNullOrEmpty(VersionId) ? "latest" : VersionId)}";
}
