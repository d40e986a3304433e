namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// A partition's rows as stored: the positions (float32 bytes) after <see cref="Iteration"/> steps and, in a
/// checkpoint, the optimiser state of the same rows (empty in a finished map's piece).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PartitionRowsRecord(
    [property: Id(0)] int Iteration,
    [property: Id(1)] byte[] Positions,
    [property: Id(2)] byte[] Velocity,
    [property: Id(3)] byte[] Gains);

/// <summary>
/// Durable rows of one partition of a job, keyed "job/partition/slot": the two checkpoint slots (0 and 1, written in
/// turn, so the previous checkpoint survives a write cut short) and "result", the partition's piece of the finished
/// map. Keyed without the epoch, so partitions rebuilt after a silo loss find what their predecessors wrote; every
/// partition writes its own record, in parallel, and no record holds more than one partition's rows.
/// </summary>
public interface IPartitionRowsGrain : IGrainWithStringKey
{
    Task Save(PartitionRowsRecord rows);

    Task<PartitionRowsRecord?> Load();

    Task Clear();
}
