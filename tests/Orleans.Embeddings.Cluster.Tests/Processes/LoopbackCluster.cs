using Orleans.Embeddings.ProcessCluster;
using Orleans.Runtime;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// The deployment's topology on loopback: a real redis-server for membership and grain state, silo host processes
/// (the built src/Orleans.Embeddings.Silo, as the containers run it) in Redis mode, an Orleans client joined
/// through Redis the way the standalone gateway joins, and a <see cref="CountingClarifai"/> that every silo gets its
/// embeddings from.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    public const int Dimensions = 16;

    /// <summary>Rows the fake serves; collections use the first N.</summary>
    public const int MaxImages = 4000;

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(120);

    private readonly List<SiloProcess> silos = [];
    private readonly List<SiloProcess> stopped = [];
    private ClusterConnection? connection;

    private LoopbackCluster(string clusterId, RedisServer redis, CountingClarifai clarifai, float[] rows)
    {
        ClusterId = clusterId;
        Redis = redis;
        Clarifai = clarifai;
        Rows = rows;
    }

    public string ClusterId { get; }

    public RedisServer Redis { get; }

    public CountingClarifai Clarifai { get; }

    /// <summary>Every image's vector, row-major, <see cref="MaxImages"/> x <see cref="Dimensions"/>.</summary>
    public float[] Rows { get; }

    /// <summary>The silo processes started and not stopped, in start order.</summary>
    public IReadOnlyList<SiloProcess> Silos => silos;

    public IClusterClient Grains => (connection ?? throw new InvalidOperationException("No silo is running.")).Client;

    public static async Task<LoopbackCluster> Start(string clusterId, int silos)
    {
        var rows = BlobRows.Generate(MaxImages, Dimensions);
        var cluster = new LoopbackCluster(clusterId, await RedisServer.Start(), await CountingClarifai.Start(rows, Dimensions), rows);
        try
        {
            await cluster.StartSilos(silos);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="count"/> more silo processes and waits until the cluster counts them all as active.</summary>
    public async Task<SiloProcess[]> StartSilos(int count)
    {
        var started = Enumerable.Range(0, count).Select(_ => SiloProcess.Start(Redis, ClusterId, Clarifai.SiloSettings)).ToArray();
        silos.AddRange(started);
        try
        {
            connection ??= await ClusterConnection.Connect(Redis, ClusterId, JoinTimeout);
            await connection.WaitForSilos(silos.Count, JoinTimeout);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\n{Output()}", e);
        }
        return started;
    }

    /// <summary>Ends one silo process at once, as a machine failure would (SIGKILL).</summary>
    public async Task Kill(SiloProcess silo)
    {
        await silo.Kill();
        silos.Remove(silo);
        stopped.Add(silo);
    }

    /// <summary>Stops the client and every silo process the way an orchestrator stops them (SIGTERM), all at once.</summary>
    public async Task StopAll()
    {
        if (connection is not null) await connection.DisposeAsync();
        connection = null;
        await Task.WhenAll(silos.Select(s => s.Stop(TimeSpan.FromSeconds(60))));
        stopped.AddRange(silos);
        silos.Clear();
    }

    /// <summary>The running silo process behind an Orleans silo address ("S10.0.0.5:41234:123456789"), by its silo port.</summary>
    public SiloProcess? ProcessOf(string siloAddress)
    {
        var parts = siloAddress.Split(':');
        return parts.Length >= 2 && int.TryParse(parts[^2], out var port) ? silos.SingleOrDefault(s => s.SiloPort == port) : null;
    }

    /// <summary>The silo process that hosts a grain's activation, if it has one.</summary>
    public async Task<SiloProcess?> HostOf(IAddressable grain)
    {
        var address = await Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        return address is null ? null : ProcessOf(address.ToString());
    }

    /// <summary>
    /// Creates a clarifai collection of the first <paramref name="count"/> images (each an address the fake serves)
    /// and returns their ids in collection order.
    /// </summary>
    public async Task<string[]> AddCollection(string name, int count)
    {
        var collection = Grains.GetGrain<ICollectionGrain>(name);
        await collection.Create(new CollectionSpec("clarifai", Dimensions));
        var ids = Enumerable.Range(0, count).Select(i => $"img-{i:D5}").ToArray();
        var images = ids.Select((id, i) => new ImageDescription(id, new ImageSource(ImageSourceKind.Url, CountingClarifai.ImageUrl(name, i)),
            [$"blob-{i % BlobRows.Blobs}"], new Dictionary<string, string>())).ToArray();
        foreach (var batch in images.Chunk(1000))
            await collection.Add(batch);
        return ids;
    }

    /// <summary>The vectors of the first <paramref name="count"/> images, as the engine takes them.</summary>
    public float[] RowsOf(int count) => Rows[..(count * Dimensions)];

    /// <summary>
    /// Polls a job until <paramref name="condition"/> holds. Calls that fail while the cluster recovers from a lost
    /// silo (the coordinator being reactivated elsewhere) are retried until the deadline.
    /// </summary>
    public async Task<TsneJobStatus> WaitFor(string jobId, Func<TsneJobStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        TsneJobStatus? status = null;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                status = await Grains.GetGrain<ITsneJobGrain>(jobId).GetStatus().WaitAsync(TimeSpan.FromSeconds(30));
                lastError = null;
                if (condition(status)) return status;
                if (status.State is TsneJobState.Failed or TsneJobState.Cancelled)
                    throw new InvalidOperationException($"Job {jobId} ended {status.State}: {status.Error}\n{Output()}");
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or SiloUnavailableException)
            {
                lastError = e;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Job {jobId} did not get there in {timeout}: {status}; last error: {lastError?.Message}\n{Output()}");
            await Task.Delay(250);
        }
    }

    /// <summary>Starts a job and waits for it to complete.</summary>
    public async Task<TsneJobStatus> Run(string jobId, TsneJobSpec spec, TimeSpan timeout)
    {
        await Grains.GetGrain<ITsneJobGrain>(jobId).Start(spec);
        return await WaitFor(jobId, s => s.State == TsneJobState.Completed, timeout);
    }

    /// <summary>The silo ports that a job status names as running its partitions.</summary>
    public int[] PortsOf(TsneJobStatus status) =>
        [.. status.PartitionSilos.Select(address => int.Parse(address.Split(':')[^2])).Order()];

    /// <summary>The recent output of every silo process, for failure messages.</summary>
    public string Output() => string.Join("\n", silos.Concat(stopped).Select(s =>
        $"--- silo :{s.SiloPort}{(s.HasExited ? " (exited)" : "")}\n{s.RecentOutput}"));

    public async ValueTask DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        foreach (var silo in silos.Concat(stopped)) await silo.DisposeAsync();
        await Clarifai.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
