namespace Orleans.Embeddings.Tsne.Tests;

public sealed class TsneCoordinatorTests
{
    private static readonly TsneOptions Short = new()
    {
        EarlyExaggerationIterations = 40, Iterations = 40, Perplexity = 15, Neighbors = NeighborMethod.Exact, KlEvery = 10,
    };

    [Theory]
    [InlineData(RepulsionMethod.Fft, 1)]
    [InlineData(RepulsionMethod.Fft, 3)]
    [InlineData(RepulsionMethod.BarnesHut, 3)]
    [InlineData(RepulsionMethod.Exact, 7)]
    public async Task A_run_resumed_from_a_checkpoint_ends_on_the_uninterrupted_map(RepulsionMethod repulsion, int shardCount)
    {
        var (data, _) = TestData.Blobs(1_800, 10, 5, 6);
        var options = Short with { Repulsion = repulsion };
        var uninterrupted = new LocalShards(data, 10, options, shardCount);
        var kl = await new TsneCoordinator(uninterrupted, options, 1_800, 10).Run();

        var checkpoints = new LocalCheckpoints();
        using var cancellation = new CancellationTokenSource();
        var hooks = new CheckpointAndStop(checkpointAt: 50, stopAfter: 65, cancellation);
        var interrupted = new LocalShards(data, 10, options, shardCount, checkpoints);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TsneCoordinator(interrupted, options, 1_800, 10, hooks).Run(cancellation: cancellation.Token));
        Assert.True(hooks.Checkpointed50);

        var resumed = new LocalShards(data, 10, options, shardCount, checkpoints);
        var resumedKl = await new TsneCoordinator(resumed, options, 1_800, 10).Run(new TsneResumePoint(50, hooks.KlAt50));

        Assert.Equal(uninterrupted.Map(), resumed.Map());
        Assert.Equal(kl, resumedKl);
    }

    [Fact]
    public async Task The_coordinator_reports_every_phase_and_its_share_of_the_iterations()
    {
        var (data, _) = TestData.Blobs(1_000, 6, 4, 6);
        var phases = new List<string>();
        var hooks = new Recording(phases);
        var shards = new LocalShards(data, 6, Short, 2);
        var coordinator = new TsneCoordinator(shards, Short, 1_000, 6, hooks);

        await coordinator.Run();

        Assert.Equal(["pca", "neighbors", "affinities", "initialization", "optimization", "early-exaggeration", "optimization"], phases);
        Assert.Equal(["pca", "neighbors", "affinities", "initialization", "optimization"], coordinator.PhaseSeconds.Keys);
        Assert.InRange(coordinator.CoordinatorSeconds, 0, coordinator.PhaseSeconds["optimization"]);
        Assert.Equal(Short.TotalIterations + 1, hooks.Iterations);
    }

    private sealed class CheckpointAndStop(int checkpointAt, int stopAfter, CancellationTokenSource cancellation) : ITsneRunHooks
    {
        public bool Checkpointed50 { get; private set; }

        public double? KlAt50 { get; private set; }

        public void PhaseStarted(string phase) { }

        public void Iterated(int iteration, double? klDivergence)
        {
            if (iteration == stopAfter) cancellation.Cancel();
        }

        public bool ShouldCheckpoint(int iteration) => iteration == checkpointAt;

        public Task Checkpointed(int iteration, double? klDivergence)
        {
            Checkpointed50 = iteration == checkpointAt;
            KlAt50 = klDivergence;
            return Task.CompletedTask;
        }
    }

    private sealed class Recording(List<string> phases) : ITsneRunHooks
    {
        public int Iterations { get; private set; }

        public void PhaseStarted(string phase) => phases.Add(phase);

        public void Iterated(int iteration, double? klDivergence) => Iterations++;

        public bool ShouldCheckpoint(int iteration) => false;

        public Task Checkpointed(int iteration, double? klDivergence) => Task.CompletedTask;
    }
}
