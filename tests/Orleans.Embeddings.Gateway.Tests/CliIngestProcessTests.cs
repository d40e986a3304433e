using System.Text;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;
using Orleans.Embeddings.ProcessCluster;
using Xunit.Abstractions;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>A large .npy ingested through the command-line client into a silo process, with both processes' memory measured.</summary>
public sealed class CliIngestProcessTests(ITestOutputHelper output)
{
    private const int Rows = 200_000, Dimensions = 50;

    /// <summary>
    /// The client streams the file (one batch in memory, never the whole 40 MB of rows, let alone a copy), and the
    /// silo keeps each image once: a 200,000 x 50 collection costs it well under 2 KB an image.
    /// </summary>
    private const double CliPeakMegabytes = 150, SiloPeakMegabytes = 1_200;

    [Fact]
    public async Task A_200000_row_npy_streams_into_a_silo_process_within_the_stated_memory()
    {
        await using var redis = await RedisServer.Start();
        var grpc = FreePorts.Next();
        await using var silo = SiloProcess.Start(redis, "cli-ingest", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
        });
        var address = new Uri($"http://127.0.0.1:{grpc}");
        using var channel = GrpcChannel.ForAddress(address);
        await new GatewayClients(channel).WaitForHealth(s => s == Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, TimeSpan.FromSeconds(90));
        var path = Path.Combine(redis.Directory, "large.npy");
        WriteNpy(path);

        var ingest = await CliProcess.Run(address, TimeSpan.FromMinutes(8), "ingest", "large", path);
        var siloPeak = silo.PeakMegabytes();
        output.WriteLine($"cli peak {ingest.PeakMegabytes:F0} MB, silo peak {siloPeak:F0} MB for {Rows} x {Dimensions}");

        Assert.True(ingest.ExitCode == 0, $"{ingest}\nsilo:\n{silo.RecentOutput}");
        Assert.Contains($"{Rows} of {Rows} items accepted", ingest.Output);
        Assert.Contains($"sent {Rows}/{Rows} items", ingest.Output);
        Assert.True(ingest.OutputLines.Count(l => l.StartsWith("sent ", StringComparison.Ordinal)) >= 5, ingest.Output);
        Assert.InRange(ingest.PeakMegabytes, 1, CliPeakMegabytes);
        Assert.InRange(siloPeak, 1, SiloPeakMegabytes);
        var clients = new GatewayClients(channel);
        var last = await clients.Collections.GetImageAsync(new GetImageRequest { Collection = "large", Id = "199999", IncludeEmbedding = true });
        Assert.Equal(Expected(Rows - 1), last.Embedding.Values);
    }

    // Row r's values are a function of r, so any row can be checked without keeping the file.
    private static float[] Expected(int row) => [.. Enumerable.Range(0, Dimensions).Select(d => (float)((row * 31 + d * 7) % 1000) / 1000f)];

    private static void WriteNpy(string path)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({Rows}, {Dimensions}), }}";
        header = header.PadRight(64 * ((10 + header.Length + 1 + 63) / 64) - 10 - 1) + "\n";
        using var stream = new BufferedStream(File.Create(path), 1 << 20);
        stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        for (var row = 0; row < Rows; row++)
            foreach (var value in Expected(row)) stream.Write(BitConverter.GetBytes(value));
    }
}
