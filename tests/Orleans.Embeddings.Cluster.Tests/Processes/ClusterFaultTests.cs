using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// The deployed topology under faults, on loopback: silo host processes clustered and persisted through a real
/// redis-server, embeddings from a Clarifai stand-in that counts every image it is paid for, whichever process asks.
/// </summary>
public sealed class ClusterFaultTests
{
    private static readonly TsneParameters Short = new() { Perplexity = 15, EarlyExaggerationIterations = 50, Iterations = 50 };

    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Three_silo_processes_form_one_cluster_and_a_job_runs_on_all_three()
    {
        await using var cluster = await LoopbackCluster.Start("three-silos", silos: 3);
        var hosts = await cluster.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(SiloPorts(cluster), hosts.Keys.Select(silo => silo.Endpoint.Port).Order());

        const int count = 1000;
        var ids = await cluster.AddCollection("spread", count);
        var status = await cluster.Run("spread-map", new TsneJobSpec("spread", Short, Partitions: 3), JobTimeout);

        Assert.Equal(3, status.Partitions);
        Assert.Equal(SiloPorts(cluster), cluster.PortsOf(status));
        var result = await cluster.Grains.GetGrain<ITsneJobGrain>("spread-map").GetResult();
        Assert.NotNull(result);
        Assert.Equal(ids, result.Ids);
        Assert.Equal(TsneRunner.Run(cluster.RowsOf(count), LoopbackCluster.Dimensions, Short.ToOptions(), shards: 3).Map, result.Map);
        AssertEmbeddedOnce(cluster, "spread", count);
    }

    [Fact]
    public async Task A_silo_killed_mid_job_loses_no_image_and_fetches_no_embedding_twice()
    {
        await using var cluster = await LoopbackCluster.Start("silo-killed", silos: 3);
        // Partitions own whole 256-row chunks, so six of them need more than 1,280 points.
        const int count = 1500;
        var ids = await cluster.AddCollection("survivor", count);
        var parameters = Short with { EarlyExaggerationIterations = 100, Iterations = 200 };
        var job = cluster.Grains.GetGrain<ITsneJobGrain>("survive");
        await job.Start(new TsneJobSpec("survivor", parameters, Partitions: 6, CheckpointEvery: 10));
        var before = await cluster.WaitFor("survive", s => s.CheckpointIteration >= 30, JobTimeout);

        // The coordinator's own silo, which also runs partitions: the job loses its driver and a share of its
        // points at once, and must be woken elsewhere by a job keeper and resume from its checkpoint.
        var victim = await cluster.HostOf(job) ?? throw new InvalidOperationException("The job's coordinator has no activation.");
        Assert.Contains(victim.SiloPort, cluster.PortsOf(before));
        Assert.Equal(TsneJobState.Running, before.State);
        await cluster.Kill(victim);

        var status = await cluster.WaitFor("survive", s => s.State == TsneJobState.Completed, TimeSpan.FromMinutes(4));
        Assert.True(status.Resumptions >= 1, $"resumptions {status.Resumptions}");
        Assert.DoesNotContain(victim.SiloPort, cluster.PortsOf(status));
        Assert.Equal(6, status.Partitions);
        var result = await job.GetResult();
        Assert.NotNull(result);
        Assert.Equal(ids, result.Ids);
        // Every step before the optimisation is deterministic and the run resumed from a checkpoint of the same
        // iterations: the map is the engine's, so every point took part with its own vector.
        Assert.Equal(TsneRunner.Run(cluster.RowsOf(count), LoopbackCluster.Dimensions, parameters.ToOptions(), shards: 6).Map, result.Map);

        var states = await cluster.Grains.GetGrain<ICollectionGrain>("survivor").CountEmbeddings();
        Assert.Equal((count, count, 0), (states.Count, states.Embedded, states.Failed));
        AssertEmbeddedOnce(cluster, "survivor", count);
    }

    [Fact]
    public async Task A_cluster_stopped_and_started_again_keeps_its_collections_embeddings_and_finished_jobs()
    {
        await using var cluster = await LoopbackCluster.Start("restarted", silos: 2);
        const int count = 600;
        var ids = await cluster.AddCollection("kept", count);
        var spec = new TsneJobSpec("kept", Short, Partitions: 2);
        await cluster.Run("kept-map", spec, JobTimeout);
        var before = await cluster.Grains.GetGrain<ITsneJobGrain>("kept-map").GetResult();
        Assert.NotNull(before);

        // Everything goes down: the silos as an orchestrator stops them, then Redis, which comes back from its
        // append-only file. New silo processes make up the cluster after.
        await cluster.StopAll();
        await cluster.Redis.Restart();
        await cluster.StartSilos(2);

        var collection = cluster.Grains.GetGrain<ICollectionGrain>("kept");
        var info = await collection.GetInfo();
        Assert.True(info.Exists);
        Assert.Equal(("clarifai", LoopbackCluster.Dimensions, count), (info.Provider, info.Dimensions, info.Count));
        var states = await collection.CountEmbeddings();
        Assert.Equal((count, count, 0), (states.Count, states.Embedded, states.Failed));
        Assert.Equal(cluster.Rows.AsSpan(7 * LoopbackCluster.Dimensions, LoopbackCluster.Dimensions).ToArray(),
            await cluster.Grains.GetGrain<IImageGrain>($"kept/{ids[7]}").GetEmbedding());

        var job = cluster.Grains.GetGrain<ITsneJobGrain>("kept-map");
        Assert.Equal(TsneJobState.Completed, (await job.GetStatus()).State);
        var after = await job.GetResult();
        Assert.NotNull(after);
        Assert.Equal(before.Ids, after.Ids);
        Assert.Equal(before.Map, after.Map);
        Assert.Contains("kept-map", await cluster.Grains.GetGrain<ITsneJobRegistryGrain>(0).GetAll());

        // A new job over the collection reads the stored embeddings: Clarifai hears nothing more.
        var requests = cluster.Clarifai.Requests;
        await cluster.Run("kept-map-again", spec, JobTimeout);
        var again = await cluster.Grains.GetGrain<ITsneJobGrain>("kept-map-again").GetResult();
        Assert.NotNull(again);
        Assert.Equal(before.Map, again.Map);
        Assert.Equal(requests, cluster.Clarifai.Requests);
        AssertEmbeddedOnce(cluster, "kept", count);
    }

    [Fact]
    public async Task A_fourth_silo_that_joins_runs_partitions_of_the_next_job()
    {
        await using var cluster = await LoopbackCluster.Start("fourth-joins", silos: 3);
        const int count = 1000;
        await cluster.AddCollection("growing", count);
        var spec = new TsneJobSpec("growing", Short, Partitions: 4);
        var first = await cluster.Run("before-join", spec, JobTimeout);
        Assert.Equal(SiloPorts(cluster), cluster.PortsOf(first));

        var fourth = Assert.Single(await cluster.StartSilos(1));
        // Partitions are placed by the coordinator's silo from its own view of the membership, which the new
        // silo's announcement reaches by gossip a moment after the client's gateway has seen it.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = await cluster.Run("after-join", spec, JobTimeout);

        Assert.Equal(4, cluster.Silos.Count);
        Assert.Equal(SiloPorts(cluster), cluster.PortsOf(second));
        Assert.Contains(fourth.SiloPort, cluster.PortsOf(second));
        // Same partitions, same map, wherever they ran.
        var before = await cluster.Grains.GetGrain<ITsneJobGrain>("before-join").GetResult();
        var after = await cluster.Grains.GetGrain<ITsneJobGrain>("after-join").GetResult();
        Assert.NotNull(before);
        Assert.NotNull(after);
        Assert.Equal(before.Map, after.Map);
        AssertEmbeddedOnce(cluster, "growing", count);
    }

    private static int[] SiloPorts(LoopbackCluster cluster) => [.. cluster.Silos.Select(s => s.SiloPort).Order()];

    /// <summary>The Clarifai stand-in saw every image of the collection exactly once, from all the processes together.</summary>
    private static void AssertEmbeddedOnce(LoopbackCluster cluster, string collection, int count)
    {
        Assert.Equal(0, cluster.Clarifai.Refused);
        var fetched = cluster.Clarifai.Embedded.Where(e => e.Key.StartsWith(CountingClarifai.CollectionUrl(collection), StringComparison.Ordinal)).ToArray();
        Assert.Equal(count, fetched.Length);
        Assert.All(fetched, e => Assert.True(e.Value == 1, $"{e.Key} was fetched {e.Value} times"));
    }
}
