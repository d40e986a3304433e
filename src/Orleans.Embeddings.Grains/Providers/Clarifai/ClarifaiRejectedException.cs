namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Clarifai refused a whole request for a reason that retrying will not change (an invalid request), without a
/// verdict per input. The batcher narrows it down to the input at fault; it never leaves the silo.
/// </summary>
internal sealed class ClarifaiRejectedException(string message) : Exception(message);
