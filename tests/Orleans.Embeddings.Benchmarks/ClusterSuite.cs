using Orleans.Embeddings.Grains.Providers;
using System.Diagnostics;
using Orleans.Embeddings.Grains.Jobs;
using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Silo;
using Orleans.Embeddings.Tsne;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `cluster` suite: the same t-SNE job through the Orleans cluster and through the engine alone, in one run,
/// with the same partition count, on the first N Fashion-MNIST images or on a vector file (--input FILE, .npy or
/// tensors.tsv, through the `vectors` provider; --labels FILE scores both maps). Options: --n N, --silos S (1: a
/// silo in this process with embedded storage, or a silo process with --processes yes; more: S silo processes on
/// loopback with a real redis-server), --partitions P (default: the job's own choice, one per core of the
/// cluster), --early-iterations E and --iterations I (the defaults' otherwise; a few of each time the phases before
/// the optimisation), --map FILE. Ingestion and embedding happen before the clock starts; the
/// job's own input phase, which reads the embeddings from the collection's membership shards, is timed. Both sides first run a
/// 2,048-point job, so both are measured warm (every fresh silo process would otherwise pay the JIT inside the job).
/// </summary>
public static class ClusterSuite
{
    /// <summary>Both sides first run a job this size, so both are measured warm, as a long-running service runs.</summary>
    private const int WarmupPoints = 2048;

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments) => RunAsync(arguments).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, object?>> RunAsync(BenchmarkArguments arguments)
    {
        var silos = arguments.Int("silos", 1);
        var partitions = arguments.Int("partitions", 0);
        var processes = arguments.String("processes") is "yes" or "true" || silos > 1;
        var defaults = new TsneParameters();
        var parameters = defaults with
        {
            EarlyExaggerationIterations = arguments.Int("early-iterations", defaults.EarlyExaggerationIterations),
            Iterations = arguments.Int("iterations", defaults.Iterations),
        };
        var input = arguments.String("input") is { } path ? Path.GetFullPath(path) : null;
        var (pixels, dimensions) = input is null ? FashionMnistPixels(arguments.Int("n", 20_000)) : VectorFiles.Read(input);
        var n = pixels.Length / dimensions;

        var (status, result, seconds, peaks) = await RunCluster(n, silos, processes, partitions, parameters, input);
        if (arguments.String("map") is { } mapPath) TensorTsvFile.Write(mapPath, result.Map, result.Dimensions);

        // The engine runs with the shard count the job chose, so that the two maps can be compared bit for bit.
        Console.WriteLine($"engine: {n} points, {status.Partitions} shards");
        TsneRunner.Run(pixels.AsMemory(0, WarmupPoints * dimensions), dimensions, parameters.ToOptions(), status.Partitions);
        var clock = Stopwatch.StartNew();
        var engine = TsneRunner.Run(pixels, dimensions, parameters.ToOptions(), status.Partitions);
        var engineSeconds = clock.Elapsed.TotalSeconds;

        var figures = new Dictionary<string, object?>
        {
            ["suite"] = "cluster",
            ["warm"] = true,
            ["source"] = input is null ? "fashion-mnist" : Path.GetFileName(input),
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
            ["silo_bytes_per_iteration"] = status.BytesPerSiloIteration,
            ["coordinator_share"] = Math.Round(status.CoordinatorShare, 4),
            ["engine_coordinator_share"] = Math.Round(engine.CoordinatorShare, 4),
            ["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0),
            ["peak_mb_per_process"] = peaks.Select(mb => Math.Round(mb)).ToArray(),
            ["phases"] = status.PhaseSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
            ["engine_phases"] = engine.PhaseSeconds.ToDictionary(p => p.Key, p => Math.Round(p.Value, 2)),
        };
        if (arguments.String("labels") is { } labels)
        {
            var known = ScoreSuite.ReadLabels(labels, n);
            foreach (var (name, value) in MapQuality.Score(pixels, dimensions, result.Map, result.Dimensions, known)) figures[name] = value;
        }
        return figures;
    }

    private static (float[] Pixels, int Dimensions) FashionMnistPixels(int n)
    {
        var (pixels, dimensions, _) = FashionMnist.Load(n);
        return (pixels, dimensions);
    }

    /// <summary>Ingests n images into a fresh cluster, runs the warm-up job, then the timed job; also the silo processes' peak memory.</summary>
    private static async Task<(TsneJobStatus Status, TsneJobResult Result, double Seconds, double[] PeakMegabytes)> RunCluster(
        int n, int silos, bool processes, int partitions, TsneParameters parameters, string? input)
    {
        await using var cluster = await LocalCluster.Start(silos, processes);
        var grains = cluster.Grains;
        var collection = $"bench-{n}";
        var provider = input is null ? "pixels" : "vectors";
        IEnumerable<ImageDescription> Images(int count) => input is null ? FashionMnistImages(count) : VectorRows(input, count);
        Console.WriteLine($"cluster: {silos} silo(s); ingesting and embedding {n} images");
        await grains.GetGrain<ICollectionGrain>(collection).Create(new CollectionSpec(provider));
        foreach (var batch in Images(n).Chunk(2000))
            await grains.GetGrain<ICollectionGrain>(collection).Add(batch);
        var shards = (n + ICollectionGrain.MembershipShardSize - 1) / ICollectionGrain.MembershipShardSize;
        // A few membership shards at a time: each embeds 4,096 images, and hundreds at once outlive the response timeout.
        await Parallel.ForEachAsync(Enumerable.Range(0, shards), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (s, _) => await grains.GetGrain<ICollectionShardGrain>($"{collection}/{s}").EnsureEmbedded());

        Console.WriteLine("cluster: warming up");
        var warmup = $"{collection}-warmup";
        await grains.GetGrain<ICollectionGrain>(warmup).Create(new CollectionSpec(provider));
        await grains.GetGrain<ICollectionGrain>(warmup).Add(Images(WarmupPoints).ToArray());
        await RunJob(grains, $"warmup-{n}-{silos}", new TsneJobSpec(warmup, parameters, partitions));

        Console.WriteLine("cluster: running the job");
        var jobId = $"bench-{n}-{silos}";
        var clock = Stopwatch.StartNew();
        var status = await RunJob(grains, jobId, new TsneJobSpec(collection, parameters, partitions));
        var seconds = clock.Elapsed.TotalSeconds;
        var result = await grains.GetGrain<ITsneJobGrain>(jobId).GetResult() ?? throw new InvalidOperationException("The completed job has no result.");
        return (status, result, seconds, cluster.PeakMegabytes());
    }

    /// <summary>The first n rows of a vector file as sources of the vectors provider.</summary>
    private static IEnumerable<ImageDescription> VectorRows(string path, int n)
    {
        for (var i = 0; i < n; i++)
            yield return new ImageDescription($"row-{i:D7}", new ImageSource(ImageSourceKind.VectorRow, path, i), [], new Dictionary<string, string>());
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

        /// <summary>Peak resident memory of every silo process (none when the silo runs in this process).</summary>
        public double[] PeakMegabytes() => [.. parts.OfType<SiloProcess>().Select(s => s.PeakMegabytes())];

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
