namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Clarifai kept throttling or failing after every retry, or could not be reached. Like any outage it is not
/// recorded on the images: they stay pending and the next request for them tries again.
/// </summary>
[GenerateSerializer]
public sealed class ClarifaiUnavailableException : Exception
{
    public ClarifaiUnavailableException()
    {
    }

    public ClarifaiUnavailableException(string message) : base(message)
    {
    }

    public ClarifaiUnavailableException(string message, Exception? inner) : base(message, inner)
    {
    }
}
