namespace Orleans.Embeddings.Grains.Jobs;

/// <summary>
/// The job's part of a checkpoint: the iteration every partition saved its rows after (see
/// <see cref="Partitions.IPartitionRowsGrain"/>) and the KL divergence measured last. No array of the map's size.
/// </summary>
[GenerateSerializer]
public sealed class TsneCheckpoint
{
    [Id(0)] public int Iteration { get; set; }
    [Id(4)] public double? KlDivergence { get; set; }
}

/// <summary>A job coordinator's durable state: what to compute, how far it got, and the result.</summary>
[GenerateSerializer]
public sealed class TsneJobRecord
{
    [Id(0)] public TsneJobSpec? Spec { get; set; }
    [Id(1)] public TsneJobState State { get; set; }
    [Id(2)] public string Phase { get; set; } = "";
    [Id(3)] public int PointCount { get; set; }
    [Id(4)] public int Dimensions { get; set; }
    [Id(5)] public int Partitions { get; set; }
    [Id(6)] public int Epoch { get; set; }
    [Id(7)] public double ElapsedSeconds { get; set; }
    [Id(8)] public string? Error { get; set; }
    [Id(9)] public TsneCheckpoint? Checkpoint { get; set; }
    /// <summary>The finished map as float32 bytes, for jobs finished before the map was stored in partition pieces.</summary>
    [Id(10)] public byte[]? Map { get; set; }
    [Id(11)] public double KlDivergence { get; set; }
    [Id(12)] public int Resumptions { get; set; }
}
