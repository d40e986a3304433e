using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Grains.Neighbors;
using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `ann` suite, after the ann-benchmarks protocol on Fashion-MNIST: base = the first 60,000 images, queries =
/// the last 10,000, k = 10, Euclidean, pixels in [0, 1]. Ground truth by exact search (the engine's blocked SIMD
/// kernel). The index (the same <see cref="HnswIndex"/> every partition grain holds) is built with --threads
/// threads (the silo's default, one: see <see cref="NeighborIndexOptions.BuildThreads"/>), then searched one query at a time on one thread for each ef of the sweep: recall@10
/// and queries per second (wall clock, and per CPU-second of the searching thread). Then the same through the gRPC
/// gateway of a silo host started in this process: the base ingested with the vectors provider through the API, the
/// index built by the gateway, and the queries sent in SearchBatch calls of --batch (100), one call at a time.
/// Both with float16 vectors (the silo's default; keys without a suffix) and float32 ones (keys ending "_f32").
/// Options: --threads T, --m M, --ef-construction E, --efs 10,20,..., --storage f32|f16|both, --grpc false.
/// </summary>
public static class AnnSuite
{
    private const int BaseCount = 60_000;
    private const int QueryCount = 10_000;
    private const int K = 10;
    private const string Collection = "fashion-mnist-ann";

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments) => RunAsync(arguments).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, object?>> RunAsync(BenchmarkArguments arguments)
    {
        var threads = arguments.Int("threads", new NeighborIndexOptions().BuildThreads);
        var connectivity = arguments.Int("m", HnswIndex.DefaultConnectivity);
        var expansionAdd = arguments.Int("ef-construction", HnswIndex.DefaultExpansionAdd);
        var efs = (arguments.String("efs") ?? "10,20,40,80,160,320").Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToArray();
        var batch = arguments.Int("batch", 100);
        var storages = (arguments.String("storage") ?? "both") switch
        {
            "f32" => new[] { HnswStorage.Float32 },
            "f16" => [HnswStorage.Float16],
            "both" => [HnswStorage.Float16, HnswStorage.Float32],
            var other => throw new ArgumentException($"--storage: '{other}' is not f32, f16 or both."),
        };
        var load = LoadAverage();

        var (pixels, dimensions, _) = FashionMnist.Load(BaseCount + QueryCount);
        Console.WriteLine("ann: exact ground truth");
        var clock = Stopwatch.StartNew();
        var truth = GroundTruth(pixels, dimensions);
        var truthSeconds = clock.Elapsed.TotalSeconds;

        var results = new Dictionary<string, object?>
        {
            ["suite"] = "ann",
            ["dataset"] = "fashion-mnist-784-euclidean",
            ["base"] = BaseCount,
            ["queries"] = QueryCount,
            ["k"] = K,
            ["m"] = connectivity,
            ["ef_construction"] = expansionAdd,
            ["build_threads"] = threads,
            ["ground_truth_seconds"] = Math.Round(truthSeconds, 2),
        };
        foreach (var storage in storages)
            foreach (var (key, value) in InProcess(pixels, dimensions, truth, efs, connectivity, expansionAdd, threads, storage))
                results[key + Suffix(storage)] = value;
        results["peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0);
        if (arguments.String("grpc") != "false")
        {
            var grpc = await Gateway(pixels, dimensions, truth, efs, batch, storages);
            foreach (var (key, value) in grpc) results[key] = value;
        }
        results["cores"] = Environment.ProcessorCount;
        results["load_average_before"] = load;
        results["load_average_after"] = LoadAverage();
        return results;
    }

    /// <summary>The keys of each storage's figures: no suffix for the silo's default storage, "_f32" or "_f16" for the other.</summary>
    private static string Suffix(HnswStorage storage) =>
        (storage == HnswStorage.Float16) == (new NeighborIndexOptions().Storage == NeighborStorage.Float16) ? "" : storage == HnswStorage.Float16 ? "_f16" : "_f32";

    /// <summary>Builds the index with the given threads, then sweeps ef one query at a time on this thread.</summary>
    private static Dictionary<string, object?> InProcess(float[] pixels, int dimensions, int[] truth, int[] efs, int connectivity, int expansionAdd,
        int threads, HnswStorage storage)
    {
        var queries = pixels.AsMemory(BaseCount * dimensions);
        Console.WriteLine($"ann: building the index ({storage}, M {connectivity}, ef_construction {expansionAdd}, {threads} threads)");
        var clock = Stopwatch.StartNew();
        using var index = HnswIndex.Create(HnswMetric.L2Squared, dimensions, connectivity, expansionAdd, storage: storage);
        index.Reserve(BaseCount);
        Parallel.For(0, BaseCount, new ParallelOptions { MaxDegreeOfParallelism = threads },
            row => index.Add((ulong)row, pixels.AsSpan(row * dimensions, dimensions)));
        var buildSeconds = clock.Elapsed.TotalSeconds;

        var curve = new List<Dictionary<string, object?>>();
        var keys = new ulong[Math.Max(efs.Max(), K)];
        var distances = new float[keys.Length];
        var found = new int[QueryCount * K];
        Search(index, queries.Span[..(1000 * dimensions)], dimensions, efs[0], keys, distances, found);
        foreach (var ef in efs)
        {
            clock.Restart();
            var cpu = ThreadClock.Seconds();
            Search(index, queries.Span, dimensions, ef, keys, distances, found);
            var seconds = clock.Elapsed.TotalSeconds;
            var point = Point(ef, Recall(found, truth), QueryCount / seconds);
            point["cpu_qps"] = Math.Round(QueryCount / (ThreadClock.Seconds() - cpu));
            Console.WriteLine($"  in process {storage} ef {ef,4}: recall {point["recall"]}, {point["qps"]} queries/s ({point["cpu_qps"]} per CPU-second of the thread)");
            curve.Add(point);
        }
        return new Dictionary<string, object?>
        {
            ["build_seconds"] = Math.Round(buildSeconds, 2),
            ["index_mb"] = Math.Round(index.MemoryBytes / 1048576.0),
            ["simd"] = index.Acceleration,
            ["curve"] = curve,
        };
    }

    /// <summary>Each query's exact 10 nearest base rows, by the engine's blocked SIMD kernel on every core.</summary>
    private static int[] GroundTruth(float[] pixels, int dimensions)
    {
        var top = new TopKAccumulator(BaseCount, QueryCount, K);
        ExactNeighborSearch.Offer(top, pixels.AsMemory(BaseCount * dimensions), pixels.AsMemory(0, BaseCount * dimensions), 0, dimensions,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount });
        return top.ToGraph().Indices;
    }

    /// <summary>One query at a time on this thread, into reused buffers: the index's own cost per query.</summary>
    private static void Search(HnswIndex index, ReadOnlySpan<float> queries, int dimensions, int ef, ulong[] keys, float[] distances, int[] found)
    {
        var wanted = Math.Max(ef, K);
        var count = queries.Length / dimensions;
        for (var q = 0; q < count; q++)
        {
            var hits = index.Search(queries.Slice(q * dimensions, dimensions), keys.AsSpan(0, wanted), distances.AsSpan(0, wanted));
            for (var i = 0; i < K; i++) found[q * K + i] = i < hits ? (int)keys[i] : -1;
        }
    }

    private static double Recall(int[] found, int[] truth)
    {
        var hits = 0;
        for (var q = 0; q < QueryCount; q++)
        {
            var expected = truth.AsSpan(q * K, K);
            foreach (var row in found.AsSpan(q * K, K))
                if (row >= 0 && expected.Contains(row)) hits++;
        }
        return (double)hits / (QueryCount * K);
    }

    private static Dictionary<string, object?> Point(int ef, double recall, double qps) => new()
    {
        ["ef"] = ef,
        ["recall"] = Math.Round(recall, 4),
        ["qps"] = Math.Round(qps),
    };

    /// <summary>The same protocol through the gateway of an in-process silo host.</summary>
    private static async Task<Dictionary<string, object?>> Gateway(float[] pixels, int dimensions, int[] truth, int[] efs, int batch, HnswStorage[] storages)
    {
        await using var host = await BenchmarkHost.Start(demo: false);
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var collections = new Collections.CollectionsClient(channel);
        var neighbors = new Neighbors.NeighborsClient(channel);

        Console.WriteLine($"ann: ingesting {BaseCount} vectors through the gateway");
        var clock = Stopwatch.StartNew();
        await collections.CreateCollectionAsync(new CreateCollectionRequest { Name = Collection, Provider = "vectors", Dimensions = dimensions });
        using (var ingest = collections.Ingest())
        {
            for (var first = 0; first < BaseCount; first += 1000)
            {
                var message = new IngestRequest { Collection = Collection };
                for (var row = first; row < Math.Min(BaseCount, first + 1000); row++)
                {
                    var vector = new Vector();
                    vector.Values.AddRange(pixels.AsSpan(row * dimensions, dimensions).ToArray());
                    message.Items.Add(new IngestItem { Id = row.ToString(CultureInfo.InvariantCulture), Vector = vector });
                }
                await ingest.RequestStream.WriteAsync(message);
            }
            await ingest.RequestStream.CompleteAsync();
            var accepted = (await ingest.ResponseAsync).Accepted;
            if (accepted != BaseCount) throw new InvalidOperationException($"The gateway accepted {accepted} of {BaseCount} vectors.");
        }
        var ingestSeconds = clock.Elapsed.TotalSeconds;

        var requests = new List<NeighborQuery[]>();
        for (var first = 0; first < QueryCount; first += batch)
            requests.Add([.. Enumerable.Range(first, Math.Min(batch, QueryCount - first)).Select(q =>
            {
                var vector = new Vector();
                vector.Values.AddRange(pixels.AsSpan((BaseCount + q) * dimensions, dimensions).ToArray());
                return new NeighborQuery { Vector = vector };
            })]);

        var results = new Dictionary<string, object?>
        {
            ["grpc_batch"] = batch,
            ["grpc_ingest_seconds"] = Math.Round(ingestSeconds, 2),
        };
        foreach (var storage in storages)
        {
            // A new storage setting starts a new index, built from the stored embeddings.
            await neighbors.ConfigureIndexAsync(new ConfigureIndexRequest
            {
                Collection = Collection,
                Storage = storage == HnswStorage.Float16 ? IndexStorage.Float16 : IndexStorage.Float32,
            });
            Console.WriteLine($"ann: building the index through the gateway ({storage})");
            clock.Restart();
            var index = await neighbors.GetIndexAsync(new GetIndexRequest { Collection = Collection, Build = true });
            var buildSeconds = clock.Elapsed.TotalSeconds;

            var curve = new List<Dictionary<string, object?>>();
            var found = new int[QueryCount * K];
            await SearchThroughGateway(neighbors, requests.Take(10).ToList(), efs[0], found);
            foreach (var ef in efs)
            {
                clock.Restart();
                await SearchThroughGateway(neighbors, requests, ef, found);
                var seconds = clock.Elapsed.TotalSeconds;
                var point = Point(ef, Recall(found, truth), QueryCount / seconds);
                Console.WriteLine($"  gateway {storage} ef {ef,4}: recall {point["recall"]}, {point["qps"]} queries/s");
                curve.Add(point);
            }
            var suffix = Suffix(storage);
            results["grpc_build_seconds" + suffix] = Math.Round(buildSeconds, 2);
            results["grpc_index_partitions" + suffix] = index.Partitions.Count;
            results["grpc_index_mb" + suffix] = Math.Round(index.MemoryBytes / 1048576.0);
            results["grpc_curve" + suffix] = curve;
        }
        results["grpc_peak_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0);
        return results;
    }

    private static async Task SearchThroughGateway(Neighbors.NeighborsClient neighbors, List<NeighborQuery[]> requests, int ef, int[] found)
    {
        var q = 0;
        foreach (var queries in requests)
        {
            var response = await neighbors.SearchBatchAsync(new SearchBatchRequest { Collection = Collection, K = K, Ef = ef, Queries = { queries } });
            foreach (var result in response.Results)
            {
                for (var i = 0; i < K; i++)
                    found[q * K + i] = i < result.Neighbors.Count ? int.Parse(result.Neighbors[i].Id, CultureInfo.InvariantCulture) : -1;
                q++;
            }
        }
    }

    internal static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";
}
