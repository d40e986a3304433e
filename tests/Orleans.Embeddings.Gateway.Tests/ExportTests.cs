using System.Globalization;
using System.Text;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Services;
using Orleans.Embeddings.Gateway.Tests.Support;
using static Orleans.Embeddings.Gateway.Tests.CollectionsTests;

namespace Orleans.Embeddings.Gateway.Tests;

[Collection(HostCollection.Name)]
public sealed class ExportTests(HostFixture host)
{
    [Fact]
    public async Task Export_streams_the_embeddings_the_metadata_and_the_map_of_a_completed_job()
    {
        var job = await host.CompletedJob();
        using var call = host.Clients.Export.ExportJob(new ExportRequest { JobId = job.JobId });
        var chunks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal([ExportService.TensorsFile, ExportService.MetadataFile, ExportService.MapFile], chunks.Select(c => c.File).Distinct());
        Assert.Equal(3, chunks.Count(c => c.Last));
        var files = chunks.GroupBy(c => c.File).ToDictionary(g => g.Key, g => Encoding.UTF8.GetString(g.SelectMany(c => c.Data.ToByteArray()).ToArray()));

        var tensors = Lines(files[ExportService.TensorsFile]);
        Assert.Equal(HostFixture.PointCount, tensors.Length);
        for (var row = 0; row < tensors.Length; row++)
            Assert.Equal(host.Vectors[row], tensors[row].Split('\t').Select(v => float.Parse(v, CultureInfo.InvariantCulture)));

        var metadata = Lines(files[ExportService.MetadataFile]);
        Assert.Equal("id\tlabel", metadata[0]);
        Assert.Equal(Enumerable.Range(0, HostFixture.PointCount).Select(r => $"{TestVectors.Id(r)}\t{TestVectors.LabelOf(r)}"), metadata[1..]);

        var result = await host.Clients.Jobs.GetResultAsync(new GetResultRequest { JobId = job.JobId });
        var map = Lines(files[ExportService.MapFile]).SelectMany(l => l.Split('\t')).Select(v => float.Parse(v, CultureInfo.InvariantCulture));
        Assert.Equal(result.Coordinates, map);
    }

    [Fact]
    public async Task Export_needs_a_completed_job()
    {
        using var missing = host.Clients.Export.ExportJob(new ExportRequest { JobId = "missing" });
        await Expect(StatusCode.NotFound, "job_id", () => missing.ResponseStream.MoveNext());
        using var unnamed = host.Clients.Export.ExportJob(new ExportRequest());
        await Expect(StatusCode.InvalidArgument, "job_id", () => unnamed.ResponseStream.MoveNext());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
