using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.ProcessCluster;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Browser.Tests.Support;

/// <summary>
/// The real silo host, built by <see cref="SiloHost"/> as Program.cs builds it, on free loopback ports, with its
/// demo on a sample of <see cref="Points"/> Fashion-MNIST images (so the page shows the job <c>demo</c> over the
/// collection <c>fashion-mnist</c>, as on a fresh host), and Debian's chromium driven by Playwright.
/// </summary>
public sealed class MapHostFixture : IAsyncLifetime
{
    public const int Points = 600;

    public const string Collection = "fashion-mnist";

    public const string DemoJob = "demo";

    /// <summary>Debian's chromium (apt-get install chromium); Playwright drives it as it is, with no browser download.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("embeddings-browser-");
    private WebApplication? app;
    private GrpcChannel? channel;
    private IPlaywright? playwright;

    public Uri WebAddress { get; private set; } = null!;

    public Jobs.JobsClient Jobs { get; private set; } = null!;

    public Neighbors.NeighborsClient Neighbors { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"The browser tests drive Debian's chromium at {ChromiumPath}: apt-get install chromium.");
        var demo = Directory.CreateDirectory(Path.Combine(work.FullName, "demo")).FullName;
        FashionMnistSample.Write(demo, Points);

        var (web, grpc, silo, gateway) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        WebAddress = new Uri($"http://127.0.0.1:{web}");
        app = SiloHost.Create(
        [
            $"--Kestrel:Endpoints:Web:Url={WebAddress}",
            "--Kestrel:Endpoints:Web:Protocols=Http1AndHttp2",
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpc}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Embeddings:DataDirectory={Path.Combine(work.FullName, "data")}",
            "--Embeddings:Cluster:Mode=Embedded",
            $"--Embeddings:Cluster:SiloPort={silo}",
            $"--Embeddings:Cluster:GatewayPort={gateway}",
            "--Embeddings:Demo:Enabled=true",
            $"--Embeddings:Demo:Directory={demo}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        Jobs = new Jobs.JobsClient(channel);
        Neighbors = new Neighbors.NeighborsClient(channel);

        // Playwright starts its own driver (node, shipped in the package) and chromium beside it meanwhile.
        var browser = StartBrowser();
        var job = await WaitForJob(DemoJob, TimeSpan.FromMinutes(3), j => j.State is JobState.Completed or JobState.Failed or JobState.Cancelled);
        Browser = await browser;
        if (job.State != JobState.Completed) throw new InvalidOperationException($"The demo job ended {job.State}: {job.Error}");
    }

    private async Task<IBrowser> StartBrowser()
    {
        playwright = await Playwright.CreateAsync();
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    /// <summary>Polls the job until <paramref name="until"/> holds.</summary>
    public async Task<Job> WaitForJob(string jobId, TimeSpan timeout, Func<Job, bool> until)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var job = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
                if (until(job)) return job;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Job {jobId} is still {job.State} ({job.Phase}, {job.Iteration}/{job.TotalIterations}) after {timeout}.");
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
                // The demo starts its job once the host has started and the images are in.
            }
            await Task.Delay(200);
        }
    }

    /// <summary>A fresh page (its own context) that records what the browser reports as errors.</summary>
    public async Task<MapPage> OpenPage(string path = "/")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var map = new MapPage(context, page);
        await page.GotoAsync(new Uri(WebAddress, path).ToString());
        return map;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        channel?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        try
        {
            work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing handle; the temporary folder is the system's to clean.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MapHostCollection : ICollectionFixture<MapHostFixture>
{
    public const string Name = "map host";
}
