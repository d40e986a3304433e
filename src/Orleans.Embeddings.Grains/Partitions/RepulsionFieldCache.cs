using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Grains.Partitions;

/// <summary>
/// The repulsion field of a job's current iteration, built once per silo and shared by the job's partitions there.
/// Every partition receives the same map, and the field is a deterministic function of it, so building it on each
/// silo costs one build per silo per iteration and keeps the messages at the size of the map; shipping the FFT grid
/// instead would move megabytes to every partition every iteration.
/// </summary>
public sealed class RepulsionFieldCache
{
    private readonly Dictionary<string, (int Iteration, Lazy<Task<IRepulsionField>> Field)> fields = [];

    /// <param name="run">The job and its run (epoch): partitions of the same run share fields.</param>
    /// <remarks>Partitions that arrive while the field is being built await it rather than block a pool thread.</remarks>
    public Task<IRepulsionField> Get(string run, int iteration, float[] map, TsneOptions options, int pointCount)
    {
        Lazy<Task<IRepulsionField>> field;
        lock (fields)
        {
            if (fields.TryGetValue(run, out var current) && current.Iteration == iteration)
            {
                field = current.Field;
            }
            else
            {
                // The previous iteration's field is finished with: every partition has returned its forces before
                // the coordinator sends the next map. Its buffers are recycled.
                var previous = fields.TryGetValue(run, out var old) && old.Field.IsValueCreated && old.Field.Value.IsCompletedSuccessfully
                    ? old.Field.Value.Result
                    : null;
                field = new Lazy<Task<IRepulsionField>>(() => Task.Run(() => RepulsionFields.Build(
                    RepulsionFields.Resolve(options, pointCount), map, options.OutputDimensions, options, previous)));
                fields[run] = (iteration, field);
            }
        }
        return field.Value;
    }

    /// <summary>Forgets a run's field when its partitions are done.</summary>
    public void Forget(string run)
    {
        lock (fields) fields.Remove(run);
    }
}
