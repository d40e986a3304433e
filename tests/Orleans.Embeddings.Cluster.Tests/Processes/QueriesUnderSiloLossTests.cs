using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.ProcessCluster;
using Xunit.Abstractions;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// Nearest-neighbour search under a silo failure, as the deployment runs it: three silo processes and a standalone
/// gateway clustered through a real redis-server, and several gRPC clients searching through the gateway while one
/// silo is killed with SIGKILL. The figures of each phase (answers, errors by status, latency) go to the test output.
/// </summary>
public sealed class QueriesUnderSiloLossTests(ITestOutputHelper output)
{
    private const string ClusterId = "queries-silo-lost";
    private const string Collection = "steady";
    private const int Dimensions = 16;
    private const int Images = 3000;

    /// <summary>Three index partitions, so that the silos share them and the victim holds part of the index.</summary>
    private const int PartitionSize = 1000;

    private const int K = 10;
    private const int Clients = 4;

    /// <summary>
    /// The least mean recall@k of the index's answers in any phase. HNSW may miss a neighbour now and then, but an
    /// answer missing one partition of three would hold about two thirds of the k nearest.
    /// </summary>
    private const double MinimumIndexRecall = 0.9;

    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Load before the figures count: the processes compile their hot paths and the clients connect.</summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    /// <summary>Load before the kill that the figures count.</summary>
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The first stretch after the kill, while the cluster finds out and moves the lost grains. Calls to a killed
    /// silo fail or hang until the membership declares it dead, which Orleans' default probing (kept here;
    /// Embeddings:Cluster:Membership tunes it) does some 5 to 15 seconds after the kill.
    /// </summary>
    private static readonly TimeSpan During = TimeSpan.FromSeconds(15);

    /// <summary>Load after <see cref="During"/>.</summary>
    private static readonly TimeSpan After = TimeSpan.FromSeconds(15);

    /// <summary>The end of the run, in which every search must be answered.</summary>
    private static readonly TimeSpan QuietEnd = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Neighbour_queries_from_several_clients_keep_being_answered_while_a_silo_is_killed()
    {
        var clock = Stopwatch.StartNew();
        await using var redis = await RedisServer.Start();
        await using var gateway = StandaloneGatewayProcess.Start(redis, ClusterId);
        var settings = new Dictionary<string, string> { ["Embeddings__Search__PartitionSize"] = PartitionSize.ToString(CultureInfo.InvariantCulture) };
        var silos = Enumerable.Range(0, 3).Select(_ => SiloProcess.Start(redis, ClusterId, settings)).ToArray();
        try
        {
            await using var connection = await ClusterConnection.Connect(redis, ClusterId, StartTimeout);
            await connection.WaitForSilos(silos.Length, StartTimeout);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{silos.Length} silos joined in {clock.Elapsed.TotalSeconds:F1} s"));
            await Run(gateway, silos, connection);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n{Output(gateway, silos)}", e);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private async Task Run(StandaloneGatewayProcess gateway, SiloProcess[] silos, ClusterConnection connection)
    {
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress);
        await WaitUntilServing(new Health.HealthClient(channel));
        var setup = Stopwatch.StartNew();

        var rows = BlobRows.Generate(Images, Dimensions);
        await Ingest(channel, rows);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gateway serving, collection ingested and indexed in {setup.Elapsed.TotalSeconds:F1} s"));
        var placement = await IndexPlacement(channel);
        var pool = new NeighborQueryPool(Collection, rows, Dimensions, size: 256, K, seed: 5);

        // Of the silos after the first, the one holding most of the index, so that the searches lose index
        // partitions as well as image grains and whatever else lived there.
        var victim = silos.Skip(1).MaxBy(s => placement.GetValueOrDefault(s.SiloPort))!;
        var collectionHost = await connection.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(connection.Client.GetGrain<ICollectionGrain>(Collection));
        output.WriteLine($"index partitions per silo: {Describe(placement, silos)}; " +
            $"collection grain on {(collectionHost is null ? "none" : $":{collectionHost.Endpoint.Port}")}; killing :{victim.SiloPort}");

        var load = QueryLoad.Start(gateway.GrpcAddress, pool, Clients, CallDeadline);
        QuerySample[] samples;
        TimeSpan killed;
        TimeSpan? declaredDead;
        try
        {
            await Task.Delay(WarmUp + Steady);
            killed = load.Elapsed;
            await victim.Kill();
            declaredDead = await WaitUntilDeclaredDead(connection, victim, load, During + After);
            var end = killed + During + After;
            if (load.Elapsed < end) await Task.Delay(end - load.Elapsed);
        }
        finally
        {
            samples = await load.Stop();
        }

        var stop = samples.Length == 0 ? killed : samples[^1].End + TimeSpan.FromTicks(1);
        var warmUp = LoadPhase.Of("warm-up", samples, TimeSpan.Zero, WarmUp);
        var before = LoadPhase.Of("before", samples, WarmUp, killed);
        var during = LoadPhase.Of("during", samples, killed, killed + During);
        var after = LoadPhase.Of("after", samples, killed + During, stop);
        foreach (var phase in new[] { before, during, after }) output.WriteLine(phase.ToString());
        var errors = samples.Where(s => !s.Answered).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"killed at {killed.TotalSeconds:F1} s; declared dead {(declaredDead is { } dead ? $"{(dead - killed).TotalSeconds:F1} s" : "not")} after the kill; " +
            $"last error {(errors.Length == 0 ? "none" : $"{(errors[^1].End - killed).TotalSeconds:F1} s")} after the kill"));
        output.WriteLine("after the kill, per second (answered/errors): " + Timeline(samples, killed, stop));
        output.WriteLine("errors by kind: " + string.Join(", ", errors.GroupBy(s => s.Kind).Select(g => $"{g.Key} {g.Count()}")));
        output.WriteLine($"index partitions per silo after the run: {Describe(await IndexPlacement(channel), silos)}");

        // Every answer, whenever it came, is whole: an exact search holds the k nearest, so it never answered from
        // part of the index, and the index's answers recall as much as they do with the cluster intact.
        var wrong = samples.Where(s => s.Wrong is not null).ToArray();
        Assert.True(wrong.Length == 0, $"{wrong.Length} wrong answers, e.g. {string.Join("; ", wrong.Take(5).Select(w => w.Wrong))}");
        foreach (var phase in new[] { before, during, after })
            Assert.True(double.IsNaN(phase.IndexRecall.Mean) || phase.IndexRecall.Mean >= MinimumIndexRecall, $"the index's answers recall too little: {phase}");
        // A failure is one that a client retries: the cluster could not answer, or not in time.
        Assert.All(errors, e => Assert.True(e.Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded, $"{e.Kind}: {e.Status}"));
        Assert.True(warmUp.Errors == 0 && before.Errors == 0, $"before the kill: {warmUp}; {before}");
        Assert.True(before.Answered >= 20, $"before the kill: {before}");
        Assert.True(after.Answered > 0, $"after: {after}");
        var quiet = LoadPhase.Of("end", samples, stop - QuietEnd, stop);
        Assert.True(quiet.Errors == 0 && quiet.Answered > 0, $"the last {QuietEnd.TotalSeconds} s: {quiet}");
        Assert.False(gateway.HasExited, "the gateway process exited");
    }

    /// <summary>Creates the collection, streams its vectors in and builds its index.</summary>
    private async Task Ingest(GrpcChannel channel, float[] rows)
    {
        var collections = new Collections.CollectionsClient(channel);
        await collections.CreateCollectionAsync(new CreateCollectionRequest { Name = Collection, Provider = "vectors", Dimensions = Dimensions });
        using (var call = collections.Ingest())
        {
            foreach (var chunk in Enumerable.Range(0, Images).Chunk(500))
            {
                await call.RequestStream.WriteAsync(new IngestRequest
                {
                    Collection = Collection,
                    Items =
                    {
                        chunk.Select(row => new IngestItem
                        {
                            Id = NeighborQueryPool.Id(row),
                            Vector = new Vector { Values = { rows.AsSpan(row * Dimensions, Dimensions).ToArray() } },
                            Labels = { $"blob-{row % BlobRows.Blobs}" },
                        }),
                    },
                });
            }
            await call.RequestStream.CompleteAsync();
            var ingested = await call.ResponseAsync;
            Assert.Equal((Images, Images), (ingested.Accepted, ingested.Added));
        }

        // Every image embedded and in the index before the load starts, so that the load measures searches only.
        var index = await new Neighbors.NeighborsClient(channel).GetIndexAsync(
            new GetIndexRequest { Collection = Collection, Build = true }, deadline: DateTime.UtcNow + StartTimeout);
        Assert.Equal((Images, (long)Images, Images / PartitionSize), (index.Members, index.Vectors, index.Partitions.Count));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"index of {Images} images built in {index.Seconds:F1} s"));
    }

    /// <summary>How many of the index's partitions each silo holds, by silo port.</summary>
    private static async Task<Dictionary<int, int>> IndexPlacement(GrpcChannel channel)
    {
        var index = await new Neighbors.NeighborsClient(channel).GetIndexAsync(new GetIndexRequest { Collection = Collection }, deadline: DateTime.UtcNow + CallDeadline);
        return index.Partitions.GroupBy(p => PortOf(p.Silo)).ToDictionary(g => g.Key, g => g.Count());
    }

    private static string Describe(Dictionary<int, int> placement, SiloProcess[] silos) =>
        string.Join(", ", silos.Select(s => $":{s.SiloPort}{(s.HasExited ? " (killed)" : "")} {placement.GetValueOrDefault(s.SiloPort)}"));

    private static async Task WaitUntilServing(Health.HealthClient health)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
                if (status == HealthCheckResponse.Types.ServingStatus.Serving) return;
                last = status.ToString();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                last = e.Status.Detail;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The gateway did not report SERVING in {StartTimeout}; last: {last}.");
    }

    /// <summary>When the cluster's membership stopped counting the victim as active, on the load's clock; null if not within <paramref name="timeout"/>.</summary>
    private static async Task<TimeSpan?> WaitUntilDeclaredDead(ClusterConnection connection, SiloProcess victim, QueryLoad load, TimeSpan timeout)
    {
        var until = load.Elapsed + timeout;
        while (load.Elapsed < until)
        {
            try
            {
                var hosts = await connection.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(2));
                if (hosts.Keys.All(silo => silo.Endpoint.Port != victim.SiloPort)) return load.Elapsed;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The management grain's silo or the client's gateway may be the one that died; ask again.
            }
            await Task.Delay(250);
        }
        return null;
    }

    /// <summary>Answered/errors in each second after the kill, for the report.</summary>
    private static string Timeline(QuerySample[] samples, TimeSpan killed, TimeSpan stop)
    {
        var seconds = (int)Math.Ceiling((stop - killed).TotalSeconds);
        return string.Join(" ", Enumerable.Range(0, seconds).Select(second =>
        {
            var phase = LoadPhase.Of("", samples, killed + TimeSpan.FromSeconds(second), killed + TimeSpan.FromSeconds(second + 1));
            return $"{phase.Answered}/{phase.Errors}";
        }));
    }

    /// <summary>The silo port of an Orleans silo address ("S127.0.0.1:41234:123456789").</summary>
    private static int PortOf(string siloAddress) => int.Parse(siloAddress.Split(':')[^2], CultureInfo.InvariantCulture);

    private static string Output(StandaloneGatewayProcess gateway, SiloProcess[] silos) =>
        $"--- gateway{(gateway.HasExited ? " (exited)" : "")}\n{gateway.RecentOutput}\n" +
        string.Join("\n", silos.Select(s => $"--- silo :{s.SiloPort}{(s.HasExited ? " (exited)" : "")}\n{s.RecentOutput}"));
}
