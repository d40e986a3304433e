namespace Orleans.Embeddings;

/// <summary>
/// The <c>Embeddings:Cluster</c> configuration section, read by the silo host and the standalone gateway alike: how
/// silos find each other and how clients find them.
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Embeddings:Cluster";

    /// <summary>Orleans' <c>ClusterMembershipOptions</c> (ProbeTimeout, NumMissedProbesLimit, ...): how fast a dead silo is declared dead.</summary>
    public const string MembershipSection = Section + ":Membership";

    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>StackExchange.Redis connection string; required in <see cref="ClusterMode.Redis"/> mode.</summary>
    public string? Redis { get; set; }

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    public string ClusterId { get; set; } = "orleans-embeddings";

    /// <summary>Part of every stored state's key: state written under one service id is not seen under another.</summary>
    public string ServiceId { get; set; } = "orleans-embeddings";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port that Orleans clients connect to; in embedded mode the gateway reaches the silo at localhost on it.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this one at (Redis mode); the silo then listens on every interface.
    /// Empty lets Orleans pick the first non-loopback address of the machine.
    /// </summary>
    public string? AdvertisedIP { get; set; }
}
