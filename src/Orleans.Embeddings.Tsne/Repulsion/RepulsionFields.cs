namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>Chooses and builds the repulsion field of one iteration from the whole map.</summary>
public static class RepulsionFields
{
    /// <summary>Below this many points Barnes-Hut beats the fixed cost of the FFT grid.</summary>
    public const int FftMinimumPoints = 5_000;

    public static RepulsionMethod Resolve(TsneOptions options, int pointCount) => options.Repulsion switch
    {
        RepulsionMethod.Auto when options.OutputDimensions <= 2 && pointCount >= FftMinimumPoints => RepulsionMethod.Fft,
        RepulsionMethod.Auto => RepulsionMethod.BarnesHut,
        var method => method,
    };

    public static IRepulsionField Build(RepulsionMethod method, float[] map, int dimensions, TsneOptions options)
    {
        var kernel = new StudentKernel(options.DegreesOfFreedom);
        return method switch
        {
            RepulsionMethod.Fft => FftRepulsionField.Build(map, dimensions, kernel, parallel: options.Parallelism),
            RepulsionMethod.BarnesHut => new BarnesHutRepulsionField(map, dimensions, kernel, options.Theta),
            RepulsionMethod.Exact => new ExactRepulsionField(map, dimensions, kernel),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Resolve the method first."),
        };
    }
}
