namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// A partition can no longer do its work: its silo left the cluster (declared dead by the membership), or it was
/// reactivated elsewhere without its rows. The coordinator resumes the job on a new set of partitions.
/// </summary>
[GenerateSerializer]
public sealed class PartitionLostException : Exception
{
    public PartitionLostException(string partition) : base($"Partition {partition} lost its rows (its silo left the cluster).") { }

    public PartitionLostException(string partition, Exception cause)
        : base($"Partition {partition} is lost: {cause.Message}", cause) { }
}
