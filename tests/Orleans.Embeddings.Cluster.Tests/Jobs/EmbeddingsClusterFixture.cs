using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Embeddings.Grains;
using Orleans.Embeddings.Grains.Providers;
using Orleans.Embeddings.Grains.Storage;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Orleans.Embeddings.Cluster.Tests.Jobs;

/// <summary>
/// An in-process cluster of real silos sharing one SQLite database (durable across silo kills and restarts), with
/// the grains of Orleans.Embeddings and a vectors provider that counts its calls.
/// </summary>
public sealed class EmbeddingsCluster : IAsyncDisposable
{
    private EmbeddingsCluster(TestCluster cluster, string directory)
    {
        Cluster = cluster;
        Directory = directory;
    }

    public TestCluster Cluster { get; }

    public string Directory { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <param name="responseTimeout">Orleans' response timeout for calls between grains, when not the default 30 s.</param>
    /// <param name="slowEmbeddingReads">A delay added to every read of a membership shard's embeddings: slow storage.</param>
    public static async Task<EmbeddingsCluster> Start(int silos, string? directory = null, TimeSpan? responseTimeout = null, TimeSpan? slowEmbeddingReads = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("embeddings-cluster-").FullName;
        var builder = new TestClusterBuilder((short)silos);
        // Grain state is keyed by service id: a cluster started again over the same database must keep it.
        builder.Options.ServiceId = "embeddings-tests";
        builder.Properties["DatabasePath"] = Path.Combine(directory, "grains.db");
        if (responseTimeout is { } timeout) builder.Properties["ResponseTimeout"] = timeout.ToString("c");
        if (slowEmbeddingReads is { } delay) builder.Properties["SlowEmbeddingReads"] = delay.ToString("c");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new EmbeddingsCluster(cluster, directory);
    }

    /// <summary>Writes rows as a tensors.tsv and adds them to a new collection served by the counting provider.</summary>
    public async Task<string[]> AddCollection(string name, float[] data, int dimensions)
    {
        var path = Path.Combine(Directory, name + ".tsv");
        var lines = Enumerable.Range(0, data.Length / dimensions).Select(r =>
            string.Join('\t', data.AsSpan(r * dimensions, dimensions).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        await File.WriteAllLinesAsync(path, lines);
        await Grains.GetGrain<ICollectionGrain>(name).Create(new CollectionSpec(CountingProvider.ProviderName));
        var ids = Enumerable.Range(0, data.Length / dimensions).Select(i => $"img-{i:D5}").ToArray();
        var descriptions = ids.Select((id, i) => new ImageDescription(id, new ImageSource(ImageSourceKind.VectorRow, path, i),
            [$"label-{i % 5}"], new Dictionary<string, string>())).ToArray();
        foreach (var batch in descriptions.Chunk(1000))
            await Grains.GetGrain<ICollectionGrain>(name).Add(batch);
        return ids;
    }

    public async Task<TsneJobStatus> WaitFor(string jobId, Func<TsneJobStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Grains.GetGrain<ITsneJobGrain>(jobId).GetStatus();
            if (condition(status)) return status;
            if (status.State is TsneJobState.Failed or TsneJobState.Cancelled && !condition(status))
                throw new InvalidOperationException($"Job {jobId} ended {status.State}: {status.Error}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Job {jobId} did not get there in {timeout}: {status}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var database = silo.Configuration["DatabasePath"] ?? throw new InvalidOperationException("DatabasePath is not configured.");
            silo.AddEmbeddingGrains();
            silo.AddSqliteGrainStorage(EmbeddingsSiloBuilderExtensions.StorageName, o => (o.DatabasePath, o.CompressPayloads) = (database, false));
            silo.Services.AddKeyedSingleton<IEmbeddingProvider, CountingProvider>(CountingProvider.ProviderName);
            if (silo.Configuration["ResponseTimeout"] is { } timeout)
                silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.Parse(timeout, CultureInfo.InvariantCulture));
            if (silo.Configuration["SlowEmbeddingReads"] is { } delay)
                silo.AddIncomingGrainCallFilter(new SlowEmbeddingReads(TimeSpan.Parse(delay, CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Storage that answers slowly: every read of a membership shard's embeddings waits first.</summary>
    private sealed class SlowEmbeddingReads(TimeSpan delay) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ICollectionShardGrain.GetEmbeddings)) await Task.Delay(delay);
            await context.Invoke();
        }
    }
}

/// <summary>The vectors provider, counting every call it gets across all silos of the process.</summary>
public sealed class CountingProvider(VectorFiles files) : IEmbeddingProvider
{
    public const string ProviderName = "counting";

    private static int calls;

    public static int Calls => Volatile.Read(ref calls);

    public static void Reset() => Interlocked.Exchange(ref calls, 0);

    public string Name => ProviderName;

    public Task<Embedding> Embed(ImageSource source, CancellationToken cancellation)
    {
        Interlocked.Increment(ref calls);
        return new VectorsProvider(files).Embed(source, cancellation);
    }
}
