using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>
/// The real silo host, built by <see cref="SiloHost"/> as Program.cs builds it, on free loopback ports: native gRPC
/// on an HTTP/2-only endpoint, gRPC-Web and the dashboard on an HTTP/1.1 one. Embedded mode in a temporary data
/// directory, no demo, and a 1 MiB message limit so that an oversized message is cheap to send. It holds the
/// collection <see cref="Points"/> of <see cref="PointCount"/> vectors in three labelled clusters.
/// </summary>
public class HostFixture : IAsyncLifetime
{
    public const string Points = "points";

    public const int PointCount = 300;

    public const int MaxMessageBytes = 1024 * 1024;

    private readonly DirectoryInfo dataDirectory = Directory.CreateTempSubdirectory("embeddings-gateway-");
    private WebApplication? app;
    private GrpcChannel? channel;
    private Task<Job>? completedJob;

    public Uri GrpcAddress { get; private set; } = null!;

    public Uri WebAddress { get; private set; } = null!;

    public GatewayClients Clients { get; private set; } = null!;

    public float[][] Vectors { get; } = TestVectors.Generate(PointCount);

    /// <summary>The vectors as the index stores them by default, rounded to float16: what its searches rank by.</summary>
    public float[][] StoredVectors => field ??= [.. Vectors.Select(vector => vector.Select(value => (float)(Half)value).ToArray())];

    public string DataDirectory => dataDirectory.FullName;

    /// <summary>Settings beyond the defaults (for example API keys), as command-line arguments.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        var (web, grpc, silo, gateway) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        GrpcAddress = new Uri($"http://127.0.0.1:{grpc}");
        WebAddress = new Uri($"http://127.0.0.1:{web}");
        app = SiloHost.Create(
        [
            $"--Kestrel:Endpoints:Web:Url={WebAddress}",
            "--Kestrel:Endpoints:Web:Protocols=Http1AndHttp2",
            $"--Kestrel:Endpoints:Grpc:Url={GrpcAddress}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Embeddings:DataDirectory={dataDirectory.FullName}",
            "--Embeddings:Cluster:Mode=Embedded",
            $"--Embeddings:Cluster:SiloPort={silo}",
            $"--Embeddings:Cluster:GatewayPort={gateway}",
            "--Embeddings:Demo:Enabled=false",
            $"--Embeddings:Gateway:MaxMessageBytes={MaxMessageBytes}",
            "--Logging:LogLevel:Default=Warning",
            .. ExtraArguments,
        ]);
        await app.StartAsync();
        channel = GrpcChannel.ForAddress(GrpcAddress);
        Clients = new GatewayClients(channel);
        await Seed();
    }

    protected virtual async Task Seed()
    {
        await Clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = Points, Provider = "vectors", Dimensions = TestVectors.Dimensions });
        var response = await Clients.Ingest(Points, Vectors.Select(TestVectors.Item));
        if (response.Accepted != PointCount) throw new InvalidOperationException($"Seeding accepted {response.Accepted} of {PointCount} points.");
    }

    /// <summary>A completed job over <see cref="Points"/> (started once, by whichever test needs it first).</summary>
    public Task<Job> CompletedJob() => completedJob ??= RunJob();

    private async Task<Job> RunJob()
    {
        const string jobId = "points-map";
        await Clients.Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = Points,
            JobId = jobId,
            Partitions = 2,
            Parameters = new JobParameters { Perplexity = 10, EarlyExaggerationIterations = 100, Iterations = 150 },
        });
        var job = await Clients.WaitForJob(jobId, TimeSpan.FromMinutes(2));
        return job.State == JobState.Completed ? job : throw new InvalidOperationException($"Job {jobId} ended {job.State}: {job.Error}");
    }

    public async Task DisposeAsync()
    {
        channel?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        try
        {
            dataDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle; the temporary folder is the system's to clean.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "silo host";
}
