using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Mapping;

/// <summary>Jobs between the wire and the grains.</summary>
public static class JobMapping
{
    /// <summary>The engine's parameters, each unset field keeping the engine's default.</summary>
    public static TsneParameters ToGrain(this JobParameters? wire)
    {
        var defaults = new TsneParameters();
        if (wire is null) return defaults;
        return new TsneParameters
        {
            Perplexity = wire.HasPerplexity ? wire.Perplexity : defaults.Perplexity,
            OutputDimensions = wire.HasOutputDimensions ? wire.OutputDimensions : defaults.OutputDimensions,
            EarlyExaggerationIterations = wire.HasEarlyExaggerationIterations ? wire.EarlyExaggerationIterations : defaults.EarlyExaggerationIterations,
            EarlyExaggeration = wire.HasEarlyExaggeration ? wire.EarlyExaggeration : defaults.EarlyExaggeration,
            Iterations = wire.HasIterations ? wire.Iterations : defaults.Iterations,
            Exaggeration = wire.HasExaggeration ? wire.Exaggeration : defaults.Exaggeration,
            LearningRate = wire.HasLearningRate ? wire.LearningRate : defaults.LearningRate,
            EarlyMomentum = wire.HasEarlyMomentum ? wire.EarlyMomentum : defaults.EarlyMomentum,
            Momentum = wire.HasMomentum ? wire.Momentum : defaults.Momentum,
            MinGain = wire.HasMinGain ? wire.MinGain : defaults.MinGain,
            MaxStepNorm = wire.HasMaxStepNorm ? wire.MaxStepNorm : defaults.MaxStepNorm,
            Theta = wire.HasTheta ? wire.Theta : defaults.Theta,
            DegreesOfFreedom = wire.HasDegreesOfFreedom ? wire.DegreesOfFreedom : defaults.DegreesOfFreedom,
            Seed = wire.HasSeed ? wire.Seed : defaults.Seed,
            Initialization = wire.Initialization switch
            {
                Initialization.Unspecified => defaults.Initialization,
                Initialization.Pca => "pca",
                Initialization.Random => "random",
                var other => Unknown("parameters.initialization", other),
            },
            Metric = wire.Metric switch
            {
                InputMetric.Unspecified => defaults.Metric,
                InputMetric.Euclidean => "euclidean",
                InputMetric.Cosine => "cosine",
                var other => Unknown("parameters.metric", other),
            },
            Neighbors = wire.Neighbors switch
            {
                NeighborMethod.Unspecified => defaults.Neighbors,
                NeighborMethod.Auto => "auto",
                NeighborMethod.Exact => "exact",
                NeighborMethod.Approximate => "approximate",
                var other => Unknown("parameters.neighbors", other),
            },
            Repulsion = wire.Repulsion switch
            {
                RepulsionMethod.Unspecified => defaults.Repulsion,
                RepulsionMethod.Auto => "auto",
                RepulsionMethod.Fft => "fft",
                RepulsionMethod.BarnesHut => "barneshut",
                RepulsionMethod.Exact => "exact",
                var other => Unknown("parameters.repulsion", other),
            },
            PcaDimensions = wire.HasPcaDimensions ? wire.PcaDimensions : defaults.PcaDimensions,
            KlEvery = wire.HasKlEvery ? wire.KlEvery : defaults.KlEvery,
        };
    }

    public static Job ToWire(this TsneJobStatus status, string? collection)
    {
        var job = new Job
        {
            JobId = status.JobId,
            Collection = collection ?? "",
            State = status.State.ToWire(),
            Phase = status.Phase,
            Iteration = status.Iteration,
            TotalIterations = status.TotalIterations,
            ElapsedSeconds = status.ElapsedSeconds,
            Points = status.PointCount,
            Partitions = status.Partitions,
            Resumptions = status.Resumptions,
            Error = status.Error ?? "",
        };
        if (status.KlDivergence is { } kl) job.KlDivergence = kl;
        return job;
    }

    public static JobState ToWire(this TsneJobState state) => state switch
    {
        TsneJobState.Running => JobState.Running,
        TsneJobState.Completed => JobState.Completed,
        TsneJobState.Failed => JobState.Failed,
        TsneJobState.Cancelled => JobState.Cancelled,
        _ => JobState.Unspecified,
    };

    public static bool IsFinished(this TsneJobState state) => state is TsneJobState.Completed or TsneJobState.Failed or TsneJobState.Cancelled;

    private static string Unknown<T>(string field, T value) where T : struct, Enum =>
        throw Errors.Problems.Invalid(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a value of {typeof(T).Name}.");
}
