namespace Orleans.Embeddings;

/// <summary>What a t-SNE job computes: a map of a collection.</summary>
/// <param name="Partitions">Shards of the points, each a partition grain; 0 means one per core of the cluster.</param>
/// <param name="CheckpointEvery">Iterations between checkpoints of the map and optimiser state.</param>
[GenerateSerializer, Immutable]
public sealed record TsneJobSpec(
    [property: Id(0)] string Collection,
    [property: Id(1)] TsneParameters Parameters,
    [property: Id(2)] int Partitions = 0,
    [property: Id(3)] int CheckpointEvery = 25);

public enum TsneJobState
{
    None,
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>
/// Where a job stands; answered while it runs. <see cref="BytesPerPartitionIteration"/> is what one partition moves
/// per iteration (the iteration's plan and Z in, its share of Z and its bounds out, its rows to every silo's copy of
/// the map), <see cref="BytesPerSiloIteration"/> what one silo receives for its copy of the map, as serialised.
/// <see cref="CoordinatorShare"/> is the share of the iterations' wall time the job grain spent on its own work.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TsneJobStatus(
    [property: Id(0)] string JobId,
    [property: Id(1)] TsneJobState State,
    [property: Id(2)] string Phase,
    [property: Id(3)] int Iteration,
    [property: Id(4)] int TotalIterations,
    [property: Id(5)] double? KlDivergence,
    [property: Id(6)] double ElapsedSeconds,
    [property: Id(7)] int PointCount,
    [property: Id(8)] int Partitions,
    [property: Id(9)] int CheckpointIteration,
    [property: Id(10)] int Resumptions,
    [property: Id(11)] string? Error,
    [property: Id(12)] string[] PartitionSilos,
    [property: Id(13)] long BytesPerPartitionIteration,
    [property: Id(14)] IReadOnlyDictionary<string, double> PhaseSeconds)
{
    [Id(15)] public long BytesPerSiloIteration { get; init; }

    [Id(16)] public double CoordinatorShare { get; init; }
}

/// <summary>A finished map: the image ids and their coordinates, row-major, in collection order.</summary>
[GenerateSerializer, Immutable]
public sealed record TsneJobResult(
    [property: Id(0)] string JobId,
    [property: Id(1)] string[] Ids,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] float[] Map,
    [property: Id(4)] double KlDivergence);

/// <summary>
/// The coordinator of one t-SNE job, keyed by the job id. Start returns at once; the job runs in the grain,
/// checkpoints its state, and resumes from the last checkpoint when the grain is reactivated after a silo loss.
/// </summary>
public interface ITsneJobGrain : IGrainWithStringKey
{
    /// <summary>Starts the job, or returns the status of the same job already started.</summary>
    Task<TsneJobStatus> Start(TsneJobSpec spec);

    Task<TsneJobStatus> GetStatus();

    Task Cancel();

    /// <summary>The map of a completed job, or null before it completes.</summary>
    Task<TsneJobResult?> GetResult();

    /// <summary>The map of the iteration under way (null before the iterations start), for watching a job.</summary>
    Task<TsneMapSnapshot?> GetCurrentMap();
}

/// <summary>
/// The jobs that are running, so that every silo's job keeper can wake a coordinator whose silo died.
/// A single grain (key 0): job starts and ends are rare.
/// </summary>
public interface ITsneJobRegistryGrain : IGrainWithIntegerKey
{
    Task Register(string jobId);

    Task Unregister(string jobId);

    Task<string[]> GetRunning();

    Task<string[]> GetAll();

    /// <summary>Records the collection a job maps (the job record keeps it to itself).</summary>
    Task SetCollection(string jobId, string collection);

    /// <summary>The collection of each job whose collection was recorded.</summary>
    Task<Dictionary<string, string>> GetCollections();
}
