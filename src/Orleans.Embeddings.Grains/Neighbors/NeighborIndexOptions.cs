namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// The silo's defaults for collections' nearest-neighbour indexes (section <see cref="Section"/>). A collection
/// settles its index settings from these the first time it is searched and keeps them.
/// </summary>
public sealed class NeighborIndexOptions
{
    public const string Section = "Embeddings:Search";

    /// <summary>Images per index partition: each partition is one grain holding one graph, searched by every query.</summary>
    public int PartitionSize { get; set; } = 262_144;

    /// <summary>HNSW links per node (M); hnswlib's default.</summary>
    public int Connectivity { get; set; } = HnswIndex.DefaultConnectivity;

    /// <summary>Candidates kept while linking a new node (ef_construction); hnswlib's default.</summary>
    public int ExpansionAdd { get; set; } = HnswIndex.DefaultExpansionAdd;

    /// <summary>Candidates kept while searching (ef), when a request names none.</summary>
    public int DefaultEf { get; set; } = 64;

    /// <summary>
    /// How the graphs store vectors. Float16 by default: half the memory, and searches that read half the bytes,
    /// which on the AVX2 machines measured brings USearch's walk to hnswlib's rate where float32 stays 10 to 25 %
    /// below it; the rounding (a relative 0.05 % a value) costs no measurable recall. Float32 keeps the vectors as given, and
    /// takes values beyond float16's range (65,504).
    /// </summary>
    public NeighborStorage Storage { get; set; } = NeighborStorage.Float16;

    /// <summary>
    /// Threads a partition inserts new members with; 0: one per core. One by default: USearch 2.26's concurrent
    /// inserts leave about three times as many nodes unreachable by any search as sequential inserts do (USearch
    /// issue 735), and an image the graph cannot reach is never anyone's neighbour.
    /// </summary>
    public int BuildThreads { get; set; } = 1;

    /// <summary>Whether partitions save their graphs to grain storage (else they are rebuilt from the stored embeddings).</summary>
    public bool SaveSnapshots { get; set; } = true;

    /// <summary>How long a partition waits after a change before saving, so that a stream of appends saves once.</summary>
    public TimeSpan SaveDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Each setting out of its range, for <see cref="SettingsValidation"/>.</summary>
    public IEnumerable<string> Problems()
    {
        if (PartitionSize < 1) yield return $"{nameof(PartitionSize)} must be at least 1; it is {PartitionSize}";
        if (Connectivity < 2) yield return $"{nameof(Connectivity)} must be at least 2; it is {Connectivity}";
        if (ExpansionAdd < 1) yield return $"{nameof(ExpansionAdd)} must be at least 1; it is {ExpansionAdd}";
        if (DefaultEf < 1) yield return $"{nameof(DefaultEf)} must be at least 1; it is {DefaultEf}";
        if (!Enum.IsDefined(Storage)) yield return $"{nameof(Storage)} must be Float16 or Float32; it is {Storage}";
        if (BuildThreads < 0) yield return $"{nameof(BuildThreads)} must not be negative (0: one per core); it is {BuildThreads}";
        if (SaveDelay < TimeSpan.Zero) yield return $"{nameof(SaveDelay)} must not be negative; it is {SaveDelay}";
    }

    internal NeighborIndexSettings Defaults =>
        new(PartitionSize, Connectivity, ExpansionAdd, DefaultEf, Storage == NeighborStorage.Float16 ? NeighborStorage.Float16 : NeighborStorage.Float32);
}
