namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>The programs of the image that read configuration.</summary>
public enum HostProgram
{
    /// <summary>src/Orleans.Embeddings.Silo.</summary>
    Silo,

    /// <summary>src/Orleans.Embeddings.Gateway, the standalone gateway.</summary>
    Gateway,
}
