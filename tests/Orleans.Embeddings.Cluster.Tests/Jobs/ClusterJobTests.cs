using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Grains.Jobs;

namespace Orleans.Embeddings.Cluster.Tests.Jobs;

public sealed class ClusterJobTests
{
    private static readonly TsneParameters Short = new() { Perplexity = 20, EarlyExaggerationIterations = 60, Iterations = 90 };

    /// <summary>Gaussian blobs in 24 dimensions, the same data on every call.</summary>
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

    [Fact]
    public async Task A_silo_killed_mid_job_costs_time_not_data()
    {
        CountingProvider.Reset();
        await using var cluster = await EmbeddingsCluster.Start(silos: 3);
        var data = Blobs(2000);
        var ids = await cluster.AddCollection("survivor", data, 24);
        var parameters = Short with { Iterations = 400 };

        await cluster.Grains.GetGrain<ITsneJobGrain>("survive").Start(new TsneJobSpec("survivor", parameters, Partitions: 6, CheckpointEvery: 10));
        await cluster.WaitFor("survive", s => s.CheckpointIteration >= 40, TimeSpan.FromMinutes(3));
        var victim = cluster.Cluster.SecondarySilos[0];
        await cluster.Cluster.KillSiloAsync(victim);

        var status = await cluster.WaitFor("survive", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(5));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("survive").GetResult();

        Assert.True(status.Resumptions >= 1, $"resumptions {status.Resumptions}");
        Assert.NotNull(result);
        Assert.Equal(ids.Length * 2, result.Map.Length);
        Assert.All(result.Map, v => Assert.True(float.IsFinite(v)));
        foreach (var id in ids)
        {
            var info = await cluster.Grains.GetGrain<IImageGrain>($"survivor/{id}").GetInfo();
            Assert.Equal(EmbeddingStatus.Embedded, info.Status);
        }
        Assert.Equal(ids.Length, CountingProvider.Calls);
        var engine = TsneRunner.Run(data, 24, parameters.ToOptions(), shards: 6);
        Assert.Equal(engine.Map, result.Map);
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
