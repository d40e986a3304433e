using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// Spreads a job's partitions over the cluster round-robin: partition i of a job goes to the i-th compatible silo
/// (in address order, modulo their count), so the shards of one job land on every silo rather than wherever
/// activation load happened to be lowest at the moment.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class PartitionPlacementStrategy : PlacementStrategy
{
    public static PartitionPlacementStrategy Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacementStrategy.Instance);

public sealed class PartitionPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        var key = target.GrainIdentity.Key.ToString();
        var index = int.TryParse(key[(key.LastIndexOf('/') + 1)..], out var parsed) ? parsed : 0;
        return Task.FromResult(silos[index % silos.Length]);
    }
}
