using System.Runtime.InteropServices;
using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Runtime;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// The whole map of a running job's current iteration, held once per silo for all of that job's partitions on it
/// (a singleton of the silo's services). The first local partition to measure an iteration fetches every partition's
/// rows; the others wait for the same copy, and its repulsion field is built once for all of them. So the map crosses
/// the network once per silo and iteration, not once per partition, and a silo holds one map per job. The buffers of
/// the previous iteration are reused: every partition has measured (read them) before any steps, and steps before
/// the next iteration is fetched.
/// <para>
/// Silos on one machine (one address) share its cores, so there the repulsion field is built once per machine, not
/// per silo: the first of them (in address order) that hosts partitions of the job builds it, and the others'
/// partitions have it evaluate their rows' repulsion (a float a coordinate of each row comes back), which costs far
/// less than a second spreading and convolution on the same cores, or a copy of the grid (16 bytes a node). On
/// separate machines every silo builds its own field from its copy of the map, and no grid crosses the network.
/// </para>
/// </summary>
public sealed class MapReplicas(IGrainFactory grains, ILocalSiloDetails localSilo)
{
    private readonly Dictionary<string, RunReplica> current = [];

    private readonly Dictionary<(string Run, int FirstRow), SliceBuffers> evaluated = [];

    private sealed record RunReplica(int Iteration, Task<MapReplica> Replica, Task<IPartitionGrain?> FieldHolder);

    private sealed record SliceBuffers(RepulsiveForces Forces, byte[] Packed);

    /// <summary>The map after <see cref="IterationPlan.Iteration"/> steps of the run (job and epoch) the assignment belongs to.</summary>
    public Task<MapReplica> Get(PartitionAssignment assignment, IterationPlan plan, TsneOptions options) => Current(assignment, plan, options).Replica;

    /// <summary>
    /// A partition on the silo of this machine that builds the run's repulsion field, or null where that is this
    /// silo: the first silo in address order, among those at this silo's address that host partitions of the run.
    /// </summary>
    public Task<IPartitionGrain?> FieldHolder(PartitionAssignment assignment, IterationPlan plan, TsneOptions options) =>
        Current(assignment, plan, options).FieldHolder;

    /// <summary>
    /// The repulsion on rows of another silo's partition from the field this silo's replica holds for the plan. The
    /// forces are evaluated and packed into the buffers of the same slice's previous iteration: its answer was on
    /// the wire before that partition stepped, and nothing asks for the next iteration before every partition has.
    /// </summary>
    public async Task<RepulsionSlice> EvaluateRepulsion(PartitionAssignment assignment, IterationPlan plan, TsneOptions options, int firstRow, int count)
    {
        var replica = await Get(assignment, plan, options);
        var slice = (RunKey(assignment.JobId, assignment.Epoch), firstRow);
        SliceBuffers? previous;
        lock (current) evaluated.TryGetValue(slice, out previous);
        return await Task.Run(() =>
        {
            var forces = replica.EvaluateRepulsion(plan, options, firstRow, count, previous?.Forces);
            var values = MemoryMarshal.AsBytes(forces.Forces.AsSpan());
            var packed = previous?.Packed.Length == values.Length ? previous.Packed : new byte[values.Length];
            values.CopyTo(packed);
            lock (current) evaluated[slice] = new SliceBuffers(forces, packed);
            return new RepulsionSlice(new PackedFloats(packed), forces.ChunkSums());
        });
    }

    private RunReplica Current(PartitionAssignment assignment, IterationPlan plan, TsneOptions options)
    {
        var run = RunKey(assignment.JobId, assignment.Epoch);
        lock (current)
        {
            current.TryGetValue(run, out var held);
            if (held is not null && held.Iteration == plan.Iteration) return held;
            var previous = held?.Replica is { IsCompletedSuccessfully: true } done ? done.Result : null;
            var holder = held?.FieldHolder is { IsFaulted: false } known ? known : FindFieldHolder(assignment);
            var entry = new RunReplica(plan.Iteration, Fetch(assignment, plan, options, previous), holder);
            current[run] = entry;
            return entry;
        }
    }

    /// <summary>Drops a run's map (it finished, or its partitions were replaced).</summary>
    public void Release(string jobId, int epoch)
    {
        var run = RunKey(jobId, epoch);
        lock (current)
        {
            current.Remove(run);
            foreach (var slice in evaluated.Keys.Where(k => k.Run == run).ToList()) evaluated.Remove(slice);
        }
    }

    private async Task<MapReplica> Fetch(PartitionAssignment assignment, IterationPlan plan, TsneOptions options, MapReplica? previous)
    {
        var (starts, dimensions) = (assignment.ShardStarts, options.OutputDimensions);
        var map = previous?.Coordinates.Length == assignment.PointCount * dimensions ? previous.Coordinates : new float[assignment.PointCount * dimensions];
        await Task.WhenAll(Enumerable.Range(0, starts.Length - 1).Select(async p =>
        {
            var rows = await Partition(assignment, p).GetPositions(plan.Iteration);
            rows.CopyTo(map.AsSpan(starts[p] * dimensions, (starts[p + 1] - starts[p]) * dimensions));
            rows.Release();
        }));
        return new MapReplica(plan.Iteration, map, dimensions, previous);
    }

    /// <summary>How many of the run's partitions run on this silo's machine (silos at this address), this one's included.</summary>
    public async Task<int> PartitionsOnThisMachine(PartitionAssignment assignment)
    {
        var (_, silos) = await Placement(assignment);
        return Math.Max(1, silos.Count(s => s is not null && s.Endpoint.Address.Equals(localSilo.SiloAddress.Endpoint.Address)));
    }

    private async Task<IPartitionGrain?> FindFieldHolder(PartitionAssignment assignment)
    {
        var (partitions, silos) = await Placement(assignment);
        var local = localSilo.SiloAddress;
        var builder = silos.OfType<SiloAddress>()
            .Where(s => s.Endpoint.Address.Equals(local.Endpoint.Address))
            .Append(local)
            .MinBy(s => s.ToString(), StringComparer.Ordinal)!;
        return builder.Equals(local) ? null : partitions[Array.FindIndex(silos, s => builder.Equals(s))];
    }

    /// <summary>The run's partitions and the silo each is active on (null where none is).</summary>
    private async Task<(IPartitionGrain[] Partitions, SiloAddress?[] Silos)> Placement(PartitionAssignment assignment)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var partitions = Enumerable.Range(0, assignment.ShardStarts.Length - 1).Select(p => Partition(assignment, p)).ToArray();
        return (partitions, await Task.WhenAll(partitions.Select(p => management.GetActivationAddress(p).AsTask())));
    }

    private IPartitionGrain Partition(PartitionAssignment assignment, int partition) =>
        grains.GetGrain<IPartitionGrain>(PartitionGrain.Key(assignment.JobId, assignment.Epoch, partition));

    private static string RunKey(string jobId, int epoch) => $"{jobId}/{epoch}";
}
