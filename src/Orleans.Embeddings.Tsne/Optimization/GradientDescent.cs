namespace Orleans.Embeddings.Tsne.Optimization;

/// <summary>
/// A shard's update of its rows (openTSNE's): per-coordinate gains that grow by 0.2 while the gradient keeps its
/// direction against the last step and shrink by x0.8 when it flips, floored at the minimum gain; momentum; and
/// each point's step clipped to a maximum length. The state (steps and gains) is what a checkpoint must keep.
/// </summary>
public sealed class GradientDescent
{
    private readonly int pointCount;
    private readonly int dimensions;

    /// <summary>The state before the first step: no velocity, every gain 1.</summary>
    public GradientDescent(int pointCount, int dimensions)
        : this(pointCount, dimensions, new float[pointCount * dimensions], Enumerable.Repeat(1f, pointCount * dimensions).ToArray())
    {
    }

    /// <summary>The state of a checkpoint.</summary>
    public GradientDescent(int pointCount, int dimensions, float[] velocity, float[] gains)
    {
        if (velocity.Length != pointCount * dimensions || gains.Length != pointCount * dimensions)
            throw new ArgumentException($"The state of {pointCount} rows of {dimensions} coordinates needs {pointCount * dimensions} velocities and gains.", nameof(velocity));
        this.pointCount = pointCount;
        this.dimensions = dimensions;
        Velocity = velocity;
        Gains = gains;
    }

    public float[] Velocity { get; }

    public float[] Gains { get; }

    public GradientDescent Clone() => new(pointCount, dimensions, (float[])Velocity.Clone(), (float[])Gains.Clone());

    /// <summary>Moves every point of <paramref name="map"/> one step against <paramref name="gradient"/>.</summary>
    public void Step(float[] map, float[] gradient, OptimizationPhase phase, TsneOptions options, ParallelOptions parallel)
    {
        const int PointsPerTask = 4096;
        var momentum = (float)phase.Momentum;
        var rate = (float)phase.LearningRate;
        var minGain = (float)options.MinGain;
        var maxStep = (float)options.MaxStepNorm;
        Parallel.For(0, (pointCount + PointsPerTask - 1) / PointsPerTask, parallel, task =>
        {
            Span<float> step = stackalloc float[dimensions];
            for (var i = task * PointsPerTask; i < Math.Min(pointCount, (task + 1) * PointsPerTask); i++)
            {
                float norm2 = 0;
                for (var d = 0; d < dimensions; d++)
                {
                    var at = i * dimensions + d;
                    var flipped = Math.Sign(Velocity[at]) != Math.Sign(gradient[at]);
                    Gains[at] = Math.Max(minGain, flipped ? Gains[at] + 0.2f : Gains[at] * 0.8f);
                    step[d] = momentum * Velocity[at] - rate * Gains[at] * gradient[at];
                    norm2 += step[d] * step[d];
                }
                var shrink = maxStep > 0 && norm2 > maxStep * maxStep ? maxStep / MathF.Sqrt(norm2) : 1f;
                for (var d = 0; d < dimensions; d++)
                {
                    var at = i * dimensions + d;
                    Velocity[at] = step[d] * shrink;
                    map[at] += Velocity[at];
                }
            }
        });
    }
}
