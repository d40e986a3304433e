using Orleans.Embeddings.Grains.Providers;
using System.Diagnostics;
using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Silo;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `cluster` suite: the same Fashion-MNIST t-SNE job through the Orleans cluster and through the engine alone,
/// in one run, with the same partition count. Options: --n N, --silos S (1: a silo in this process with embedded
/// storage, or a silo process with --processes yes; more: S silo processes on loopback with a real redis-server),
/// --partitions P (default: the job's own choice, one per core of the cluster), --map FILE. Ingestion and embedding happen before the clock starts; the
/// job's own input phase, which gathers the embeddings from the image grains, is timed. Both sides first run a
/// 2,048-point job, so both are measured warm (every fresh silo process would otherwise pay the JIT inside the job).
/// </summary>
public static class ClusterSuite
{
    /// <summary>Both sides first run a job this size, so both are measured warm, as a long-running service runs.</summary>
    private const int WarmupPoints = 2048;

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments) => RunAsync(arguments).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, object?>> RunAsync(BenchmarkArguments arguments)
    {
        var n = arguments.Int("n", 20_000);
        var silos = arguments.Int("silos", 1);
        var partitions = arguments.Int("partitions", 0);
        var processes = arguments.String("processes") is "yes" or "true" || silos > 1;
        var parameters = new TsneParameters();
        var (pixels, dimensions, _) = FashionMnist.Load(n);

        var (status, result, seconds) = await RunCluster(n, silos, processes, partitions, parameters);
        if (arguments.String("map") is { } mapPath) TensorTsvFile.Write(mapPath, result.Map, result.Dimensions);

        // The engine runs with the shard count the job chose, so that the two maps can be compared bit for bit.
        Console.WriteLine($"engine: {n} points, {status.Partitions} shards");
        TsneRunner.Run(pixels.AsMemory(0, WarmupPoints * dimensions), dimensions, parameters.ToOptions(), status.Partitions);
        var clock = Stopwatch.StartNew();
        var engine = TsneRunner.Run(pixels, dimensions, parameters.ToOptions(), status.Partitions);
        var engineSeconds = clock.Elapsed.TotalSeconds;

        return new Dictionary<string, object?>
        {
            ["suite"] = "cluster",
            ["warm"] = true,
            ["n"] = n,
            ["silos"] = silos,
            ["processes"] = processes,
            ["partitions"] = status.Partitions,
            ["partition_silos"] = status.PartitionSilos.Length,
            ["seconds"] = Math.Round(seconds, 2),
            ["engine_seconds"] = Math.Round(engineSeconds, 2),
            ["ratio"] = Math.Round(seconds / engineSeconds, 3),
            ["kl"] = Math.Round(result.KlDivergence, 4),
            ["engine_kl"] = Math.Round(engine.KlDivergence, 4),
            ["same_map_as_engine"] = engine.Map.AsSpan().SequenceEqual(result.Map),
            ["bytes_per_iteration"] = status.BytesPerPartitionIteration,
            ["phases"] = status.PhaseSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
            ["engine_phases"] = engine.PhaseSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
        };
    }

    /// <summary>Ingests n images into a fresh cluster, runs the warm-up job, then the timed job.</summary>
    private static async Task<(TsneJobStatus Status, TsneJobResult Result, double Seconds)> RunCluster(
        int n, int silos, bool processes, int partitions, TsneParameters parameters)
    {
        await using var cluster = await LocalCluster.Start(silos, processes);
        var grains = cluster.Grains;
        var collection = $"fashion-mnist-{n}";
        Console.WriteLine($"cluster: {silos} silo(s); ingesting and embedding {n} images");
        await grains.GetGrain<ICollectionGrain>(collection).Create(new CollectionSpec("pixels"));
        foreach (var batch in FashionMnistImages(n).Chunk(2000))
            await grains.GetGrain<ICollectionGrain>(collection).Add(batch);
        var shards = (n + ICollectionGrain.MembershipShardSize - 1) / ICollectionGrain.MembershipShardSize;
        await Task.WhenAll(Enumerable.Range(0, shards).Select(s => grains.GetGrain<ICollectionShardGrain>($"{collection}/{s}").EnsureEmbedded()));

        Console.WriteLine("cluster: warming up");
        var warmup = $"{collection}-warmup";
        await grains.GetGrain<ICollectionGrain>(warmup).Create(new CollectionSpec("pixels"));
        await grains.GetGrain<ICollectionGrain>(warmup).Add(FashionMnistImages(WarmupPoints).ToArray());
        await RunJob(grains, $"warmup-{n}-{silos}", new TsneJobSpec(warmup, parameters, partitions));

        Console.WriteLine("cluster: running the job");
        var jobId = $"bench-{n}-{silos}";
        var clock = Stopwatch.StartNew();
        var status = await RunJob(grains, jobId, new TsneJobSpec(collection, parameters, partitions));
        var seconds = clock.Elapsed.TotalSeconds;
        var result = await grains.GetGrain<ITsneJobGrain>(jobId).GetResult() ?? throw new InvalidOperationException("The completed job has no result.");
        return (status, result, seconds);
    }

    private static async Task<TsneJobStatus> RunJob(IGrainFactory grains, string jobId, TsneJobSpec spec)
    {
        var job = grains.GetGrain<ITsneJobGrain>(jobId);
        await job.Start(spec);
        TsneJobStatus status;
        while ((status = await job.GetStatus()).State == TsneJobState.Running)
            await Task.Delay(100);
        return status.State == TsneJobState.Completed
            ? status
            : throw new InvalidOperationException($"The cluster job {jobId} ended {status.State}: {status.Error}");
    }

    /// <summary>The first n images (training split, then test split) as IDX-record sources of the pixels provider.</summary>
    private static IEnumerable<ImageDescription> FashionMnistImages(int n)
    {
        var root = Environment.GetEnvironmentVariable("FMNIST") ?? FashionMnist.DefaultRoot;
        for (var i = 0; i < n; i++)
        {
            var (file, index) = i < 60_000 ? ("train-images-idx3-ubyte.gz", i) : ("t10k-images-idx3-ubyte.gz", i - 60_000);
            yield return new ImageDescription($"fmnist-{i:D5}", new ImageSource(ImageSourceKind.IdxRecord, Path.Combine(root, file), index),
                [], new Dictionary<string, string>());
        }
    }

    /// <summary>One silo in this process (embedded storage), or silo processes clustered through a redis-server.</summary>
    private sealed class LocalCluster : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> parts = [];

        public IGrainFactory Grains { get; private set; } = null!;

        public static async Task<LocalCluster> Start(int silos, bool processes)
        {
            var cluster = new LocalCluster();
            if (!processes)
            {
                var directory = Directory.CreateTempSubdirectory("embeddings-bench-").FullName;
                var app = SiloHost.Create(
                [
                    "--Embeddings:DataDirectory=" + directory,
                    "--Embeddings:Demo:Enabled=false",
                    "--Embeddings:Cluster:SiloPort=" + FreePorts.Next(),
                    "--Embeddings:Cluster:GatewayPort=" + FreePorts.Next(),
                    "--urls=http://127.0.0.1:" + FreePorts.Next(),
                    "--Logging:LogLevel:Default=Warning",
                ]);
                await app.StartAsync();
                cluster.parts.Add(new StoppingHost(app));
                cluster.Grains = app.Services.GetRequiredService<IGrainFactory>();
                return cluster;
            }
            var redis = await RedisServer.Start();
            cluster.parts.Add(redis);
            const string clusterId = "bench";
            for (var s = 0; s < silos; s++) cluster.parts.Add(SiloProcess.Start(redis, clusterId));
            var connection = await ClusterConnection.Connect(redis, clusterId, TimeSpan.FromSeconds(60));
            cluster.parts.Insert(0, connection);
            await connection.WaitForSilos(silos, TimeSpan.FromSeconds(60));
            cluster.Grains = connection.Client;
            return cluster;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var part in parts) await part.DisposeAsync();
        }
    }

    /// <summary>Stops the in-process silo gracefully before disposing it.</summary>
    private sealed class StoppingHost(WebApplication app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
