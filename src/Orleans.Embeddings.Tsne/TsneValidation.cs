namespace Orleans.Embeddings.Tsne;

/// <summary>
/// Checks a run's options against its data before any work starts. Every failure is an ArgumentException whose
/// parameter name is the offending option and whose message states the value and the rule.
/// </summary>
public static class TsneValidation
{
    public static void Validate(TsneOptions options, int pointCount, int inputDimensions)
    {
        if (pointCount < 2)
            throw new ArgumentException($"t-SNE needs at least 2 points; got {pointCount}.", "points");
        if (inputDimensions < 1)
            throw new ArgumentException($"Points need at least 1 dimension; got {inputDimensions}.", "dimensions");
        Require(options.OutputDimensions is >= 1 and <= 3, nameof(options.OutputDimensions), options.OutputDimensions, "must be 1, 2 or 3");
        Require(double.IsFinite(options.Perplexity) && options.Perplexity > 0, nameof(options.Perplexity), options.Perplexity, "must be a positive number");
        var k = (int)Math.Ceiling(3 * options.Perplexity);
        Require(k < pointCount, nameof(options.Perplexity), options.Perplexity,
            $"is too large for {pointCount} points: it needs 3 x perplexity = {k} neighbours per point, so perplexity must be below {(pointCount - 1) / 3.0:0.##}");
        Require(options.EarlyExaggerationIterations >= 0, nameof(options.EarlyExaggerationIterations), options.EarlyExaggerationIterations, "must not be negative");
        Require(options.Iterations >= 0, nameof(options.Iterations), options.Iterations, "must not be negative");
        Require(double.IsFinite(options.EarlyExaggeration) && options.EarlyExaggeration > 0, nameof(options.EarlyExaggeration), options.EarlyExaggeration, "must be positive");
        Require(double.IsFinite(options.Exaggeration) && options.Exaggeration > 0, nameof(options.Exaggeration), options.Exaggeration, "must be positive");
        if (options.LearningRate is { } rate)
            Require(double.IsFinite(rate) && rate > 0, nameof(options.LearningRate), rate, "must be positive (or null for auto)");
        Require(options.EarlyMomentum is >= 0 and < 1, nameof(options.EarlyMomentum), options.EarlyMomentum, "must be in [0, 1)");
        Require(options.Momentum is >= 0 and < 1, nameof(options.Momentum), options.Momentum, "must be in [0, 1)");
        Require(options.MinGain is > 0 and <= 1, nameof(options.MinGain), options.MinGain, "must be in (0, 1]");
        Require(double.IsFinite(options.MaxStepNorm) && options.MaxStepNorm >= 0, nameof(options.MaxStepNorm), options.MaxStepNorm, "must be 0 (off) or positive");
        Require(double.IsFinite(options.Theta) && options.Theta >= 0, nameof(options.Theta), options.Theta, "must not be negative");
        Require(double.IsFinite(options.DegreesOfFreedom) && options.DegreesOfFreedom > 0, nameof(options.DegreesOfFreedom), options.DegreesOfFreedom, "must be positive");
        Require(options.KlEvery >= 0, nameof(options.KlEvery), options.KlEvery, "must not be negative");
        Require(options.PcaDimensions >= 0, nameof(options.PcaDimensions), options.PcaDimensions, "must not be negative (0 keeps the input space)");
        Require(options.PcaDimensions == 0 || options.PcaDimensions >= options.OutputDimensions, nameof(options.PcaDimensions), options.PcaDimensions,
            $"must be 0 (keep the input space) or at least OutputDimensions = {options.OutputDimensions}, since a PCA start takes the map from the leading components");
        if (options.MaxThreads is { } threads)
            Require(threads >= 1, nameof(options.MaxThreads), threads, "must be at least 1");
        Require(options.Repulsion != RepulsionMethod.Fft || options.OutputDimensions <= 2, nameof(options.Repulsion), options.Repulsion,
            "FFT interpolation serves 1-D and 2-D maps; use BarnesHut or Auto for 3-D");
        if (options.Initialization == MapInitialization.Supplied)
        {
            var expected = pointCount * options.OutputDimensions;
            Require(options.InitialMap is not null && options.InitialMap.Length == expected, nameof(options.InitialMap),
                options.InitialMap?.Length ?? 0, $"must hold N x OutputDimensions = {expected} values when Initialization is Supplied");
            RequireFinite(options.InitialMap!, options.OutputDimensions, nameof(options.InitialMap));
        }
    }

    /// <summary>Rejects NaN and infinite values, naming the first offending row and column.</summary>
    public static void RequireFinite(ReadOnlySpan<float> values, int dimensions, string parameter, int firstRow = 0)
    {
        for (var at = 0; at < values.Length; at++)
            if (!float.IsFinite(values[at]))
                throw new ArgumentException($"Value {values[at]} at row {firstRow + at / dimensions}, column {at % dimensions} is not a finite number.", parameter);
    }

    private static void Require(bool condition, string parameter, object value, string rule)
    {
        if (!condition)
            throw new ArgumentException($"{parameter} = {value} {rule}.", parameter);
    }
}
