using System.Text.RegularExpressions;
using Orleans.Concurrency;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Grains.Jobs;

/// <summary>
/// Checks a job before it starts with the engine's own rules (<see cref="TsneValidation"/>) against the
/// collection's size, and names the offending field as the gRPC API spells it ("parameters.early_exaggeration").
/// </summary>
[StatelessWorker]
public sealed partial class TsneJobValidationGrain : Grain, ITsneJobValidationGrain
{
    /// <summary>More partitions than this would only add messages: a partition's shard is at least 256 points.</summary>
    public const int MaxPartitions = 4096;

    public async Task Validate(TsneJobSpec spec)
    {
        if (spec.Partitions is < 0 or > MaxPartitions)
            throw new ArgumentException($"partitions: {spec.Partitions} must be between 0 (one per core of the cluster) and {MaxPartitions}.", nameof(spec));
        if (spec.CheckpointEvery < 1)
            throw new ArgumentException($"checkpoint_every: {spec.CheckpointEvery} must be positive.", nameof(spec));
        var options = Named(() => spec.Parameters.ToOptions());
        var info = await GrainFactory.GetGrain<ICollectionGrain>(spec.Collection).GetInfo();
        if (!info.Exists) throw new KeyNotFoundException($"collection: '{spec.Collection}' does not exist.");
        if (info.Count < 2)
            throw new InvalidOperationException($"collection: '{spec.Collection}' has {info.Count} images; t-SNE needs at least 2.");
        // The input dimensions are unknown until the images are embedded; none of the rules needs more than one.
        Named(() => { TsneValidation.Validate(options, info.Count, Math.Max(1, info.Dimensions)); return options; });
    }

    private static TsneOptions Named(Func<TsneOptions> check)
    {
        try
        {
            return check();
        }
        catch (ArgumentException e) when (e.ParamName is { Length: > 0 } parameter)
        {
            var field = "parameters." + SnakeCase(parameter);
            var message = e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
            throw new ArgumentException($"{field}: {message}");
        }
    }

    /// <summary>EarlyExaggerationIterations to early_exaggeration_iterations.</summary>
    internal static string SnakeCase(string name) => WordStart().Replace(name, "_$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])")]
    private static partial Regex WordStart();
}
