using System.Diagnostics;
using System.Globalization;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `grpc` suite: neighbour queries through the gateway with --concurrency C calls in flight, for --seconds S
/// each: single queries (Search) and batches of 100 (SearchBatch), k = --k (10), by image id (the image left out)
/// or by vector (--query vector: the image's own pixels). Against --address, or else a silo host started in this
/// process with the demo collection (Fashion-MNIST's 10,000 test images), whose t-SNE job is cancelled once the
/// collection is in, so that it does not share the cores with the measurement (--demo-job wait lets it finish
/// first). The index is built before the clock starts. Prints queries per second and p50/p99 latency of each.
/// </summary>
public static class GrpcSuite
{
    private const string DemoCollection = "fashion-mnist";
    private const string DemoJob = "demo";

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments) => RunAsync(arguments).GetAwaiter().GetResult();

    private static async Task<Dictionary<string, object?>> RunAsync(BenchmarkArguments arguments)
    {
        var concurrency = arguments.Int("concurrency", 8);
        var seconds = arguments.Int("seconds", 10);
        var k = arguments.Int("k", 10);
        var byVector = arguments.String("query") == "vector";
        var collection = arguments.String("collection") ?? DemoCollection;
        var load = AnnSuite.LoadAverage();

        await using var host = arguments.String("address") is null ? await BenchmarkHost.Start(demo: true) : null;
        var address = host?.GrpcAddress ?? new Uri(arguments.String("address")!);
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        var collections = new Collections.CollectionsClient(channel);
        var jobs = new Jobs.JobsClient(channel);
        var neighbors = new Neighbors.NeighborsClient(channel);

        if (host is not null) await DemoReady(collections, jobs, arguments.String("demo-job") == "wait");
        var clock = Stopwatch.StartNew();
        var index = await neighbors.GetIndexAsync(new GetIndexRequest { Collection = collection, Build = true });
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var ids = await Ids(collections, collection);
        Console.WriteLine($"grpc: {ids.Length} images, index of {index.Vectors} vectors built in {buildSeconds:F1} s; {concurrency} calls in flight");

        var queries = byVector ? DemoVectors(2000) : null;
        NeighborQuery Query(int i) => queries is not null
            ? new NeighborQuery { Vector = queries[i % queries.Length] }
            : new NeighborQuery { Id = ids[i % ids.Length] };

        // Warm: every path JIT-compiled and the connection pool full before the clock starts.
        await Measure(concurrency, TimeSpan.FromSeconds(2), i => neighbors.SearchAsync(new SearchRequest { Collection = collection, K = k, Query = Query(i) }).ResponseAsync);
        var single = await Measure(concurrency, TimeSpan.FromSeconds(seconds),
            i => neighbors.SearchAsync(new SearchRequest { Collection = collection, K = k, Query = Query(i * 7919) }).ResponseAsync);
        Console.WriteLine($"  single:    {single.CallsPerSecond:F0} queries/s, p50 {single.P50:F2} ms, p99 {single.P99:F2} ms");
        var batches = await Measure(concurrency, TimeSpan.FromSeconds(seconds), i =>
        {
            var request = new SearchBatchRequest { Collection = collection, K = k };
            for (var q = 0; q < 100; q++) request.Queries.Add(Query(i * 100 + q));
            return neighbors.SearchBatchAsync(request).ResponseAsync;
        });
        Console.WriteLine($"  batch 100: {batches.CallsPerSecond * 100:F0} queries/s, p50 {batches.P50:F2} ms, p99 {batches.P99:F2} ms per call");

        return new Dictionary<string, object?>
        {
            ["suite"] = "grpc",
            ["address"] = host is null ? address.ToString() : "in-process silo host",
            ["collection"] = collection,
            ["images"] = ids.Length,
            ["query"] = byVector ? "vector" : "id",
            ["k"] = k,
            ["ef"] = index.Settings.DefaultEf,
            ["concurrency"] = concurrency,
            ["seconds"] = seconds,
            ["index_build_seconds"] = Math.Round(buildSeconds, 2),
            ["qps_single"] = Math.Round(single.CallsPerSecond),
            ["p50_ms"] = Math.Round(single.P50, 2),
            ["p99_ms"] = Math.Round(single.P99, 2),
            ["qps_batch100"] = Math.Round(batches.CallsPerSecond * 100),
            ["batch100_p50_ms"] = Math.Round(batches.P50, 2),
            ["batch100_p99_ms"] = Math.Round(batches.P99, 2),
            ["errors"] = single.Errors + batches.Errors,
            ["cores"] = Environment.ProcessorCount,
            ["load_average_before"] = load,
            ["load_average_after"] = AnnSuite.LoadAverage(),
        };
    }

    /// <summary>Waits for the demo collection's 10,000 images, then cancels the demo job or waits for it to end.</summary>
    private static async Task DemoReady(Collections.CollectionsClient collections, Jobs.JobsClient jobs, bool waitForJob)
    {
        var deadline = DateTime.UtcNow.AddMinutes(waitForJob ? 30 : 5);
        Console.WriteLine("grpc: waiting for the demo collection");
        while (true)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The demo did not get ready in time.");
            await Task.Delay(500);
            Job job;
            try
            {
                var found = await collections.GetCollectionAsync(new GetCollectionRequest { Name = DemoCollection });
                if (found.Size < 10_000) continue;
                job = await jobs.GetJobAsync(new GetJobRequest { JobId = DemoJob });
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                continue;
            }
            if (job.State != JobState.Running) return;
            if (!waitForJob)
            {
                await jobs.CancelJobAsync(new CancelJobRequest { JobId = DemoJob });
                return;
            }
        }
    }

    private static async Task<string[]> Ids(Collections.CollectionsClient collections, string collection)
    {
        var info = await collections.GetCollectionAsync(new GetCollectionRequest { Name = collection });
        // The demo's ids are t10k-00000 ...; another collection's are read from its images one page at a time.
        if (collection == DemoCollection) return [.. Enumerable.Range(0, info.Size).Select(i => $"t10k-{i.ToString("D5", CultureInfo.InvariantCulture)}")];
        throw new ArgumentException($"--collection: only the demo collection's ids are known to this suite; use --query vector with '{collection}'.");
    }

    /// <summary>Query vectors: the demo images' pixels scaled to [0, 1], what the pixels provider embeds them as.</summary>
    private static Vector[] DemoVectors(int count)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist");
        var images = Orleans.Embeddings.Grains.Providers.IdxFile.Read(Path.Combine(root, "t10k-images-idx3-ubyte.gz"), rank: 3);
        return [.. Enumerable.Range(0, Math.Min(count, images.Count)).Select(i =>
        {
            var vector = new Vector();
            foreach (var pixel in images.Values.AsSpan(i * images.ItemSize, images.ItemSize)) vector.Values.Add(pixel / 255f);
            return vector;
        })];
    }

    /// <summary>Runs <paramref name="concurrency"/> loops of calls for the duration; latency of each call in milliseconds.</summary>
    private static async Task<Measurement> Measure(int concurrency, TimeSpan duration, Func<int, Task> call)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async loop =>
        {
            var mine = latencies[loop] = [];
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed.TotalMilliseconds;
                try
                {
                    await call(Interlocked.Increment(ref next));
                    mine.Add(clock.Elapsed.TotalMilliseconds - started);
                }
                catch (Grpc.Core.RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Measurement(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    private readonly record struct Measurement(double CallsPerSecond, double P50, double P99, int Errors);
}
