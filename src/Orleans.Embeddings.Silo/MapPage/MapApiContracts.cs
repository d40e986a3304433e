namespace Orleans.Embeddings.Silo.MapPage;

/// <summary>A job as the page lists it.</summary>
public sealed record MapJob(
    string Id,
    string Collection,
    string State,
    string Phase,
    int Iteration,
    int TotalIterations,
    int Points,
    double? KlDivergence,
    string Error);

public sealed record MapJobList(IReadOnlyList<MapJob> Jobs);

/// <summary>
/// The points of a job's map in point order: their ids and the index of each one's first label in
/// <see cref="LabelNames"/> (ordinal order; -1 for none). The coordinates come separately, as they change.
/// </summary>
public sealed record MapPointSet(string Job, string Collection, int Count, IReadOnlyList<string> Ids, IReadOnlyList<int> Labels,
    IReadOnlyList<string> LabelNames);

public sealed record MapNeighbor(string Id, float Distance, IReadOnlyList<string> Labels);

/// <summary>
/// An image's nearest neighbours in the embedding space and on the job's map; the map's are null, with the reason,
/// while the job has no completed map.
/// </summary>
public sealed record MapNeighbors(string Id, IReadOnlyList<MapNeighbor> Embedding, IReadOnlyList<MapNeighbor>? Map, string? MapError);

/// <summary>The body of an error: the gateway's one-line message.</summary>
public sealed record MapProblem(string Error);
