using Orleans.Embeddings.Grains.Serialization;
using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Repulsion;
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
/// Silos on one machine (one address) share its cores, so there the FFT grid is built once per machine, not per
/// silo: the first of them (in address order) that hosts partitions of the job builds it, and the others copy its
/// potentials over loopback, which costs far less than a second spreading and convolution on the same cores. On
/// separate machines every silo builds its own grid from its copy of the map, and no grid crosses the network.
/// </para>
/// </summary>
public sealed class MapReplicas(IGrainFactory grains, ILocalSiloDetails localSilo)
{
    /// <summary>Potentials one message carries: the partitions' slice size.</summary>
    private const int SliceFloats = PartitionGrain.SliceBytes / sizeof(float);

    private readonly Dictionary<string, RunReplica> current = [];

    private sealed record RunReplica(int Iteration, Task<MapReplica> Replica, Task Grid, Task<IPartitionGrain?> GridSource);

    /// <summary>The map after <see cref="IterationPlan.Iteration"/> steps of the run (job and epoch) the assignment belongs to.</summary>
    public Task<MapReplica> Get(PartitionAssignment assignment, IterationPlan plan, TsneOptions options) => Current(assignment, plan, options).Replica;

    /// <summary>
    /// Done when the replica of the plan's iteration holds its FFT grid, copied from the machine's builder, where this
    /// silo is not it; at once otherwise (the replica builds its field on first use).
    /// </summary>
    public Task GridReady(PartitionAssignment assignment, IterationPlan plan, TsneOptions options) => Current(assignment, plan, options).Grid;

    /// <summary>A slice of the potentials of the FFT grid this silo's replica holds for the plan (building it if it has not yet).</summary>
    public async Task<PackedFloats> GridSlice(PartitionAssignment assignment, IterationPlan plan, TsneOptions options, int offset, int count)
    {
        var replica = await Get(assignment, plan, options);
        var field = await Task.Run(() => replica.Field(plan, options));
        var grid = (field as FftRepulsionField)?.Grid ?? throw new InvalidOperationException("The plan of this iteration has no FFT grid.");
        return PackedFloats.From(grid.Potentials.AsSpan(offset, count));
    }

    private RunReplica Current(PartitionAssignment assignment, IterationPlan plan, TsneOptions options)
    {
        var run = RunKey(assignment.JobId, assignment.Epoch);
        lock (current)
        {
            current.TryGetValue(run, out var held);
            if (held is not null && held.Iteration == plan.Iteration) return held;
            var previous = held?.Replica is { IsCompletedSuccessfully: true } done ? done.Result : null;
            var source = held?.GridSource is { IsFaulted: false } known ? known : GridSource(assignment);
            var replica = Fetch(assignment, plan, options, previous);
            var entry = new RunReplica(plan.Iteration, replica, CopyGrid(replica, plan, options, source), source);
            current[run] = entry;
            return entry;
        }
    }

    /// <summary>Drops a run's map (it finished, or its partitions were replaced).</summary>
    public void Release(string jobId, int epoch)
    {
        lock (current) current.Remove(RunKey(jobId, epoch));
    }

    private async Task<MapReplica> Fetch(PartitionAssignment assignment, IterationPlan plan, TsneOptions options, MapReplica? previous)
    {
        var (starts, dimensions) = (assignment.ShardStarts, options.OutputDimensions);
        var map = previous?.Coordinates.Length == assignment.PointCount * dimensions ? previous.Coordinates : new float[assignment.PointCount * dimensions];
        await Task.WhenAll(Enumerable.Range(0, starts.Length - 1).Select(async p =>
        {
            var rows = await Partition(assignment, p).GetPositions(plan.Iteration);
            rows.CopyTo(map.AsSpan(starts[p] * dimensions, (starts[p + 1] - starts[p]) * dimensions));
        }));
        return new MapReplica(plan.Iteration, map, dimensions, previous);
    }

    private static async Task CopyGrid(Task<MapReplica> fetching, IterationPlan plan, TsneOptions options, Task<IPartitionGrain?> gridSource)
    {
        var replica = await fetching;
        if (plan.Grid is not { } geometry || await gridSource is not { } source) return;
        var size = geometry.GridLength;
        var potentials = replica.RecyclablePotentials is { } old && old.Length == size ? old : new float[size];
        await Task.WhenAll(Enumerable.Range(0, (size + SliceFloats - 1) / SliceFloats).Select(async slice =>
        {
            var offset = slice * SliceFloats;
            (await source.GetGridSlice(plan, offset, Math.Min(SliceFloats, size - offset))).CopyTo(potentials.AsSpan(offset));
        }));
        replica.UseGrid(geometry.WithPotentials(options.DegreesOfFreedom, potentials));
    }

    /// <summary>
    /// A partition on the silo that builds this machine's grid for the run, or null where that is this silo: the
    /// first silo in address order, among those at this silo's address that host partitions of the run.
    /// </summary>
    private async Task<IPartitionGrain?> GridSource(PartitionAssignment assignment)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var partitions = Enumerable.Range(0, assignment.ShardStarts.Length - 1).Select(p => Partition(assignment, p)).ToArray();
        var silos = await Task.WhenAll(partitions.Select(p => management.GetActivationAddress(p).AsTask()));
        var local = localSilo.SiloAddress;
        var builder = silos.OfType<SiloAddress>()
            .Where(s => s.Endpoint.Address.Equals(local.Endpoint.Address))
            .Append(local)
            .MinBy(s => s.ToString(), StringComparer.Ordinal)!;
        return builder.Equals(local) ? null : partitions[Array.FindIndex(silos, s => builder.Equals(s))];
    }

    private IPartitionGrain Partition(PartitionAssignment assignment, int partition) =>
        grains.GetGrain<IPartitionGrain>(PartitionGrain.Key(assignment.JobId, assignment.Epoch, partition));

    private static string RunKey(string jobId, int epoch) => $"{jobId}/{epoch}";
}
