namespace Orleans.Embeddings.Gateway;

/// <summary>How the gateway finds the cluster: the same <c>Embeddings:Cluster</c> keys as the silo host's.</summary>
public sealed class GatewayClusterSettings
{
    public const string Section = "Embeddings:Cluster";

    /// <summary>Embedded: one silo host on this machine, reached at localhost:<see cref="GatewayPort"/>. Redis: any cluster that Redis lists.</summary>
    public GatewayClusterMode Mode { get; set; } = GatewayClusterMode.Embedded;

    /// <summary>StackExchange.Redis connection string; required in Redis mode.</summary>
    public string? Redis { get; set; }

    public string ClusterId { get; set; } = "orleans-embeddings";

    public string ServiceId { get; set; } = "orleans-embeddings";

    /// <summary>The silo's Orleans gateway port (embedded mode; in Redis mode the membership table lists them).</summary>
    public int GatewayPort { get; set; } = 30000;
}
