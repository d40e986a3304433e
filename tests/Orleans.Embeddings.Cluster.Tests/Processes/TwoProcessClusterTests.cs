using System.Globalization;
using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>Silo hosts as separate processes on loopback, clustered and persisted through a real redis-server.</summary>
public sealed class TwoProcessClusterTests
{
    [Fact]
    public async Task Two_silo_processes_with_Redis_run_a_job_end_to_end()
    {
        await using var redis = await RedisServer.Start();
        const string clusterId = "two-process";
        await using var first = SiloProcess.Start(redis, clusterId);
        await using var second = SiloProcess.Start(redis, clusterId);
        await using var connection = await ClusterConnection.Connect(redis, clusterId, TimeSpan.FromSeconds(60));
        await connection.WaitForSilos(2, TimeSpan.FromSeconds(60));
        var grains = connection.Client;

        const int count = 1500, dimensions = 16;
        var random = new Random(5);
        var data = Enumerable.Range(0, count * dimensions).Select(i => (float)(i / dimensions % 3 * 6 + random.NextDouble())).ToArray();
        var path = Path.Combine(redis.Directory, "vectors.tsv");
        await File.WriteAllLinesAsync(path, Enumerable.Range(0, count).Select(r =>
            string.Join('\t', data.AsSpan(r * dimensions, dimensions).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        await grains.GetGrain<ICollectionGrain>("vectors").Create(new CollectionSpec("vectors"));
        var added = await grains.GetGrain<ICollectionGrain>("vectors").Add(Enumerable.Range(0, count)
            .Select(i => new ImageDescription($"v{i}", new ImageSource(ImageSourceKind.VectorRow, path, i), [], new Dictionary<string, string>())).ToArray());
        Assert.Equal(count, added);

        var parameters = new TsneParameters { Perplexity = 15, EarlyExaggerationIterations = 50, Iterations = 50 };
        var job = grains.GetGrain<ITsneJobGrain>("two-process-job");
        await job.Start(new TsneJobSpec("vectors", parameters, Partitions: 4));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        TsneJobStatus status;
        while ((status = await job.GetStatus()).State == TsneJobState.Running)
        {
            Assert.True(DateTime.UtcNow < deadline, $"job still {status.Phase} at {status.Iteration}; silo output:\n{first.RecentOutput}\n{second.RecentOutput}");
            await Task.Delay(250);
        }

        Assert.Equal(TsneJobState.Completed, status.State);
        Assert.Equal(2, status.PartitionSilos.Length);
        var result = await job.GetResult();
        Assert.NotNull(result);
        Assert.Equal(TsneRunner.Run(data, dimensions, parameters.ToOptions(), shards: 4).Map, result.Map);
    }
}
