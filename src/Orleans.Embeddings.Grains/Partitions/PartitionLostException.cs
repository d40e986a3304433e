namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>A partition was asked for work it no longer holds: its silo died and it was reactivated empty.</summary>
[GenerateSerializer]
public sealed class PartitionLostException : Exception
{
    public PartitionLostException(string partition) : base($"Partition {partition} lost its rows (its silo left the cluster).") { }
}
