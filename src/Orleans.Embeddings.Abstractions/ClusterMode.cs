namespace Orleans.Embeddings;

/// <summary>How silos find each other and where grain state lives.</summary>
public enum ClusterMode
{
    /// <summary>One silo on this machine: localhost clustering and a SQLite database in the data directory.</summary>
    Embedded,

    /// <summary>Any number of silos on any machines: Redis holds the membership table and the grain state.</summary>
    Redis,
}
