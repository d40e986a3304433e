using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Grains.Jobs;

namespace Orleans.Embeddings.Cluster.Tests.Jobs;

public sealed class ClusterJobTests
{
    private static readonly TsneParameters Short = new() { Perplexity = 20, EarlyExaggerationIterations = 60, Iterations = 90 };

    /// <summary>Gaussian blobs (24 dimensions unless asked), the same data on every call.</summary>
    private static float[] Blobs(int count, int dimensions = 24)
    {
        var random = new Random(11);
        var centres = Enumerable.Range(0, 6 * dimensions).Select(_ => 8 * Gaussian(random)).ToArray();
        var data = new float[count * dimensions];
        for (var i = 0; i < count; i++)
            for (var d = 0; d < dimensions; d++)
                data[i * dimensions + d] = (float)(centres[i % 6 * dimensions + d] + Gaussian(random));
        return data;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task A_job_on_three_silos_gives_the_engine_map_and_spreads_its_partitions()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 3);
        var data = Blobs(3000);
        var ids = await cluster.AddCollection("blobs", data, 24);

        await cluster.Grains.GetGrain<ITsneJobGrain>("same-map").Start(new TsneJobSpec("blobs", Short, Partitions: 6));
        var status = await cluster.WaitFor("same-map", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(4));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("same-map").GetResult();

        var engine = TsneRunner.Run(data, 24, Short.ToOptions(), shards: 6);
        Assert.NotNull(result);
        Assert.Equal(ids, result.Ids);
        Assert.Equal(engine.Map, result.Map);
        Assert.Equal(engine.KlDivergence, result.KlDivergence, 1e-9);
        Assert.Equal(6, status.Partitions);
        Assert.True(status.PartitionSilos.Length > 1, $"partitions ran on {string.Join(", ", status.PartitionSilos)}");
    }

    [Fact]
    public async Task Approximate_neighbours_run_on_the_partitions_with_one_partition_per_core_of_the_machine()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 3);
        var data = Blobs(2500);
        await cluster.AddCollection("indexed", data, 24);
        var parameters = Short with { Neighbors = "approximate" };

        // No partition count: the job takes one per core, and three silos on one address share one machine's cores.
        await cluster.Grains.GetGrain<ITsneJobGrain>("indexed").Start(new TsneJobSpec("indexed", parameters));
        var status = await cluster.WaitFor("indexed", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(4));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("indexed").GetResult();

        Assert.Equal(Environment.ProcessorCount, status.Partitions);
        var engine = TsneRunner.Run(data, 24, parameters.ToOptions(), shards: status.Partitions);
        Assert.NotNull(result);
        Assert.Equal(engine.Map, result.Map);
    }

    [Theory]
    [InlineData(3, "fft")]
    [InlineData(7, "barneshut")]
    public async Task A_silo_killed_mid_job_costs_time_not_data(int partitions, string repulsion)
    {
        CountingProvider.Reset();
        await using var cluster = await EmbeddingsCluster.Start(silos: 3);
        var data = Blobs(2000);
        var ids = await cluster.AddCollection("survivor", data, 24);
        var parameters = Short with { Iterations = 400, Repulsion = repulsion };

        await cluster.Grains.GetGrain<ITsneJobGrain>("survive").Start(new TsneJobSpec("survivor", parameters, Partitions: partitions, CheckpointEvery: 10));
        await cluster.WaitFor("survive", s => s.CheckpointIteration >= 40, TimeSpan.FromMinutes(3));
        var victim = cluster.Cluster.SecondarySilos[0];
        await cluster.Cluster.KillSiloAsync(victim);

        var status = await cluster.WaitFor("survive", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(5));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("survive").GetResult();

        Assert.True(status.Resumptions >= 1, $"resumptions {status.Resumptions}");
        Assert.Equal(partitions, status.Partitions);
        Assert.NotNull(result);
        Assert.Equal(ids.Length * 2, result.Map.Length);
        Assert.All(result.Map, v => Assert.True(float.IsFinite(v)));
        foreach (var id in ids)
        {
            var info = await cluster.Grains.GetGrain<IImageGrain>($"survivor/{id}").GetInfo();
            Assert.Equal(EmbeddingStatus.Embedded, info.Status);
        }
        Assert.Equal(ids.Length, CountingProvider.Calls);
        var engine = TsneRunner.Run(data, 24, parameters.ToOptions(), shards: partitions);
        Assert.Equal(engine.Map, result.Map);
    }

    [Fact]
    public async Task One_partition_with_the_FFT_gives_the_engine_map_and_keeps_the_iterations_on_the_partition()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 2);
        var data = Blobs(2000);
        await cluster.AddCollection("single", data, 24);
        var parameters = Short with { Repulsion = "fft" };

        await cluster.Grains.GetGrain<ITsneJobGrain>("single").Start(new TsneJobSpec("single", parameters, Partitions: 1));
        var status = await cluster.WaitFor("single", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(4));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("single").GetResult();

        var engine = TsneRunner.Run(data, 24, parameters.ToOptions(), shards: 1);
        Assert.NotNull(result);
        Assert.Equal(engine.Map, result.Map);
        Assert.Equal(engine.KlDivergence, result.KlDivergence, 1e-9);
        // Per iteration the partition sends its rows to each silo's copy of the map (8 bytes a row) and exchanges a
        // few scalars with the job grain: O(rows), not O(N) nor O(grid).
        Assert.InRange(status.BytesPerPartitionIteration, 2_000 * 8, 2_000 * 8 * 2 + 4_096);
        Assert.InRange(status.BytesPerSiloIteration, 2_000 * 2 * 4, 2_000 * 2 * 4 + 1_000);
        Assert.InRange(status.CoordinatorShare, 0, 1);
    }

    [Fact]
    public async Task Partitions_whose_steps_outlast_the_response_timeout_finish_the_job_without_a_restart()
    {
        // Each read of a membership shard (4,096 images) takes 1.5 s and a grain call may take 3 s, so one partition
        // loading four shards is busy for over 6 s in one step: polled, not awaited, it is slow, not lost.
        var timeout = TimeSpan.FromSeconds(3);
        await using var cluster = await EmbeddingsCluster.Start(silos: 1, responseTimeout: timeout, slowEmbeddingReads: TimeSpan.FromSeconds(1.5));
        var data = Blobs(12_500, dimensions: 8);
        await cluster.AddCollection("slow", data, 8);
        var parameters = Short with { EarlyExaggerationIterations = 20, Iterations = 20 };

        await cluster.Grains.GetGrain<ITsneJobGrain>("slow").Start(new TsneJobSpec("slow", parameters, Partitions: 1));
        var status = await cluster.WaitFor("slow", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(4));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("slow").GetResult();

        Assert.Equal(0, status.Resumptions);
        Assert.True(status.PhaseSeconds["input"] > timeout.TotalSeconds, $"the input phase took {status.PhaseSeconds["input"]:F1} s");
        var engine = TsneRunner.Run(data, 8, parameters.ToOptions(), shards: 1);
        Assert.NotNull(result);
        Assert.Equal(engine.Map, result.Map);
    }

    [Fact]
    public async Task Randomised_parameters_over_their_documented_ranges_give_the_engine_map_on_the_cluster()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 2);
        var data = Blobs(900, dimensions: 60);
        await cluster.AddCollection("random", data, 60);
        var random = new Random(2026);
        for (var trial = 0; trial < 6; trial++)
        {
            var dimensions = random.Next(1, 4);
            var parameters = new TsneParameters
            {
                Perplexity = 5 + random.NextDouble() * 40,
                OutputDimensions = dimensions,
                EarlyExaggerationIterations = random.Next(0, 40),
                EarlyExaggeration = 4 + random.NextDouble() * 20,
                Iterations = random.Next(1, 40),
                Exaggeration = 1 + random.NextDouble(),
                LearningRate = random.Next(2) == 0 ? null : 10 + random.NextDouble() * 500,
                EarlyMomentum = random.NextDouble() * 0.9,
                Momentum = random.NextDouble() * 0.9,
                Theta = random.NextDouble(),
                DegreesOfFreedom = 0.5 + random.NextDouble() * 1.5,
                Seed = random.Next(),
                Initialization = random.Next(2) == 0 ? "pca" : "random",
                Metric = random.Next(2) == 0 ? "euclidean" : "cosine",
                Neighbors = new[] { "auto", "exact", "approximate" }[random.Next(3)],
                Repulsion = dimensions == 3 ? new[] { "auto", "barneshut", "exact" }[random.Next(3)] : new[] { "auto", "fft", "barneshut", "exact" }[random.Next(4)],
                PcaDimensions = random.Next(2) == 0 ? 0 : random.Next(dimensions, 60),
                KlEvery = random.Next(0, 20),
                MinGain = 0.001 + random.NextDouble() * 0.1,
                MaxStepNorm = random.Next(2) == 0 ? 0 : 1 + random.NextDouble() * 10,
            };
            var partitions = random.Next(1, 5);
            var job = $"random-{trial}";

            await cluster.Grains.GetGrain<ITsneJobGrain>(job).Start(new TsneJobSpec("random", parameters, Partitions: partitions));
            await cluster.WaitFor(job, s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(2));
            var result = await cluster.Grains.GetGrain<ITsneJobGrain>(job).GetResult();

            var engine = TsneRunner.Run(data, 60, parameters.ToOptions(), shards: partitions);
            Assert.NotNull(result);
            Assert.True(engine.Map.AsSpan().SequenceEqual(result.Map), $"trial {trial}: {parameters} on {partitions} partitions");
        }
    }

    [Fact]
    public async Task Image_grains_call_their_provider_once_across_deactivation_and_silo_restart()
    {
        CountingProvider.Reset();
        var directory = Directory.CreateTempSubdirectory("embeddings-restart-").FullName;
        string[] ids;
        await using (var cluster = await EmbeddingsCluster.Start(silos: 2, directory))
        {
            ids = await cluster.AddCollection("once", Blobs(300), 24);
            var summary = await cluster.Grains.GetGrain<ICollectionShardGrain>("once/0").EnsureEmbedded();
            Assert.Equal(300, summary.Embedded);
            Assert.Equal(300, CountingProvider.Calls);

            await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await cluster.Grains.GetGrain<ICollectionShardGrain>("once/0").EnsureEmbedded();
            Assert.Equal(300, CountingProvider.Calls);

            await cluster.Cluster.RestartSiloAsync(cluster.Cluster.SecondarySilos[0]);
            await cluster.Grains.GetGrain<ICollectionShardGrain>("once/0").EnsureEmbedded();
            Assert.Equal(300, CountingProvider.Calls);
        }

        // A whole new cluster over the same database finds every embedding.
        await using (var again = await EmbeddingsCluster.Start(silos: 1, directory))
        {
            var block = await again.Grains.GetGrain<ICollectionShardGrain>("once/0").GetEmbeddings();
            Assert.Equal(ids, block.Ids);
            Assert.Empty(block.Failures);
            Assert.Equal(Blobs(300), block.Rows.ToArray());
            Assert.Equal(300, CountingProvider.Calls);
        }
    }
}
