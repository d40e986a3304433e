using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Embeddings.Silo;

// Not "...Tests.Host": a namespace of that name would hide Microsoft.Extensions.Hosting.Host from every other test
// namespace under Orleans.Embeddings.Cluster.Tests.
namespace Orleans.Embeddings.Cluster.Tests.Hosting;

/// <summary>
/// Starts the real host, built by <see cref="SiloHost"/> exactly as Program.cs builds it, on free loopback ports
/// (embedded mode, a temporary data directory, no demo) and talks to it over HTTP.
/// </summary>
public sealed class DashboardHostTests
{
    [Fact]
    public async Task Failure_detection_is_configured_under_Embeddings_Cluster_Membership()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("embeddings-host-");
        try
        {
            await using var app = SiloHost.Create(
            [
                $"--Embeddings:DataDirectory={dataDirectory.FullName}",
                "--Embeddings:Demo:Enabled=false",
                "--Embeddings:Cluster:Membership:ProbeTimeout=00:00:02",
                "--Embeddings:Cluster:Membership:NumMissedProbesLimit=2",
            ]);
            var membership = app.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
            Assert.Equal((TimeSpan.FromSeconds(2), 2), (membership.ProbeTimeout, membership.NumMissedProbesLimit));
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Serves_the_dashboard_page_its_api_and_the_silo_behind_it()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("embeddings-host-");
        var (siloPort, gatewayPort) = FreePorts();
        try
        {
            await using var app = SiloHost.Create(
            [
                "--urls=http://127.0.0.1:0",
                $"--Embeddings:DataDirectory={dataDirectory.FullName}",
                "--Embeddings:Cluster:Mode=Embedded",
                $"--Embeddings:Cluster:SiloPort={siloPort}",
                $"--Embeddings:Cluster:GatewayPort={gatewayPort}",
                "--Embeddings:Demo:Enabled=false",
            ]);
            await app.StartAsync();
            try
            {
                var address = Assert.Single(app.Urls);
                using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

                using var page = await http.GetAsync("/dashboard/");
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                var html = await page.Content.ReadAsStringAsync();
                Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);

                using var version = await http.GetAsync("/dashboard/version");
                Assert.Equal(HttpStatusCode.OK, version.StatusCode);
                Assert.Equal("application/json", version.Content.Headers.ContentType?.MediaType);
                using var versionJson = JsonDocument.Parse(await version.Content.ReadAsStringAsync());
                Assert.False(string.IsNullOrEmpty(versionJson.RootElement.GetProperty("version").GetString()));

                // The counters come from the silo through the dashboard's grain: they prove the silo is up and
                // visible, not just the static files. The grain refreshes them on a timer, so wait for the host.
                var hosts = await WaitForHosts(http, TimeSpan.FromSeconds(30));
                Assert.Equal(1, hosts);
            }
            finally
            {
                await app.StopAsync();
            }

            Assert.True(File.Exists(Path.Combine(dataDirectory.FullName, SiloClustering.DatabaseFileName)),
                "Embedded mode keeps grain state in a SQLite file in the data directory.");
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }

    private static async Task<int> WaitForHosts(HttpClient http, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await http.GetAsync("/dashboard/DashboardCounters");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                using var counters = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var hosts = counters.RootElement.GetProperty("hosts").GetArrayLength();
                if (hosts > 0) return hosts;
            }

            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The dashboard listed no silo within {timeout} (last answer {(int)response.StatusCode}).");
            await Task.Delay(250);
        }
    }

    /// <summary>Two distinct free loopback ports: both listeners are held until both numbers are known.</summary>
    private static (int Silo, int Gateway) FreePorts()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        try
        {
            return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }
}
