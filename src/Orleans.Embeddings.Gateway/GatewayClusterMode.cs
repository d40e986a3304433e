namespace Orleans.Embeddings.Gateway;

/// <summary>The silo host's cluster modes, as a client sees them.</summary>
public enum GatewayClusterMode
{
    Embedded,
    Redis,
}
