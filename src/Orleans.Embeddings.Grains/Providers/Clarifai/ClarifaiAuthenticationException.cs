namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Clarifai refused the personal access token (or none is configured). No image is to blame, so none is marked
/// failed: the error propagates to whoever asked for the embeddings, and ingestion stops until the token is fixed.
/// </summary>
[GenerateSerializer]
public sealed class ClarifaiAuthenticationException : Exception
{
    public ClarifaiAuthenticationException()
    {
    }

    public ClarifaiAuthenticationException(string message) : base(message)
    {
    }

    public ClarifaiAuthenticationException(string message, Exception? inner) : base(message, inner)
    {
    }
}
