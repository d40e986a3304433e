using Orleans.Embeddings.Tsne.Optimization;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// The whole map of a running job's current iteration, held once per silo for all of that job's partitions on it
/// (a singleton of the silo's services). The first local partition to measure an iteration fetches every partition's
/// rows; the others wait for the same copy, and its repulsion field is built once for all of them. So the map crosses
/// the network once per silo and iteration, not once per partition, and a silo holds one map per job. The buffers of
/// the previous iteration are reused: every partition has measured (read them) before any steps, and steps before
/// the next iteration is fetched.
/// </summary>
public sealed class MapReplicas(IGrainFactory grains)
{
    private readonly Dictionary<string, (int Iteration, Task<MapReplica> Replica)> current = [];

    /// <summary>The map after <paramref name="iteration"/> steps of the run (job and epoch) the assignment belongs to.</summary>
    public Task<MapReplica> Get(PartitionAssignment assignment, int epoch, int iteration, int dimensions)
    {
        var run = RunKey(assignment.JobId, epoch);
        lock (current)
        {
            if (current.TryGetValue(run, out var held) && held.Iteration == iteration) return held.Replica;
            var previous = held.Replica is { IsCompletedSuccessfully: true } done ? done.Result : null;
            var replica = Fetch(assignment, epoch, iteration, dimensions, previous);
            current[run] = (iteration, replica);
            return replica;
        }
    }

    /// <summary>Drops a run's map (it finished, or its partitions were replaced).</summary>
    public void Release(string jobId, int epoch)
    {
        lock (current) current.Remove(RunKey(jobId, epoch));
    }

    private async Task<MapReplica> Fetch(PartitionAssignment assignment, int epoch, int iteration, int dimensions, MapReplica? previous)
    {
        var starts = assignment.ShardStarts;
        var map = previous?.Coordinates.Length == assignment.PointCount * dimensions ? previous.Coordinates : new float[assignment.PointCount * dimensions];
        await Task.WhenAll(Enumerable.Range(0, starts.Length - 1).Select(async p =>
        {
            var rows = await grains.GetGrain<IPartitionGrain>(PartitionGrain.Key(assignment.JobId, epoch, p)).GetPositions(iteration);
            rows.CopyTo(map.AsSpan(starts[p] * dimensions, (starts[p + 1] - starts[p]) * dimensions));
        }));
        return new MapReplica(iteration, map, dimensions, previous);
    }

    private static string RunKey(string jobId, int epoch) => $"{jobId}/{epoch}";
}
