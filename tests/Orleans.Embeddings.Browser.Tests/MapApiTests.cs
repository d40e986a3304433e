using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Browser.Tests.Support;
using SkiaSharp;

namespace Orleans.Embeddings.Browser.Tests;

/// <summary>The page's files and JSON endpoints over plain HTTP, as the page calls them.</summary>
[Collection(MapHostCollection.Name)]
public sealed partial class MapApiTests(MapHostFixture host) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = host.WebAddress, Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task The_page_and_every_script_it_loads_come_from_the_host()
    {
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        var linked = Linked().Matches(html).Select(m => m.Groups["path"].Value).Where(p => !p.StartsWith("data:", StringComparison.Ordinal)).ToList();
        Assert.Contains("/map/app.js", linked);
        Assert.Contains("/map/map.css", linked);
        Assert.All(linked, path => Assert.StartsWith("/", path));
        var scripts = new Queue<string>(linked.Where(p => p.StartsWith("/map/", StringComparison.Ordinal)));
        var seen = new HashSet<string>();
        while (scripts.TryDequeue(out var path))
        {
            if (!seen.Add(path)) continue;
            using var asset = await http.GetAsync(path);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{path}: {asset.StatusCode}");
            var text = await asset.Content.ReadAsStringAsync();
            Assert.DoesNotContain("http://", text);
            Assert.DoesNotContain("https://", text);
            // ES modules import their siblings only.
            foreach (Match import in Imports().Matches(text))
            {
                Assert.StartsWith("./", import.Groups["path"].Value);
                scripts.Enqueue("/map/" + import.Groups["path"].Value[2..]);
            }
        }
        Assert.Contains("/map/renderer.js", seen);

        using var script = await http.GetAsync("/map/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/map/app.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using var unchanged = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        using var missing = await http.GetAsync("/map/missing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_api_serves_the_jobs_the_points_the_map_and_the_thumbnails()
    {
        using var jobs = JsonDocument.Parse(await http.GetStringAsync("/api/map/jobs"));
        var demo = jobs.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("id").GetString() == MapHostFixture.DemoJob);
        Assert.Equal("completed", demo.GetProperty("state").GetString());
        Assert.Equal(MapHostFixture.Collection, demo.GetProperty("collection").GetString());
        Assert.Equal(MapHostFixture.Points, demo.GetProperty("points").GetInt32());

        using var points = JsonDocument.Parse(await http.GetStringAsync("/api/map/jobs/demo/points"));
        var root = points.RootElement;
        Assert.Equal(MapHostFixture.Points, root.GetProperty("count").GetInt32());
        var ids = root.GetProperty("ids").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(Enumerable.Range(0, MapHostFixture.Points).Select(i => $"t10k-{i:D5}"), ids);
        var names = root.GetProperty("labelNames").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(FashionMnistSample.ClassNames.Order(StringComparer.Ordinal), names);
        // The first test image is an ankle boot, the second a pullover.
        var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(["Ankle boot", "Pullover"], labels[..2].Select(l => names[l]));

        using var map = await http.GetAsync("/api/map/jobs/demo/map");
        Assert.Equal(HttpStatusCode.OK, map.StatusCode);
        Assert.Equal("750", Header(map, "x-map-iteration"));
        Assert.Equal("2", Header(map, "x-map-dimensions"));
        Assert.Equal("completed", Header(map, "x-job-state"));
        var bytes = await map.Content.ReadAsByteArrayAsync();
        Assert.Equal(MapHostFixture.Points * 2 * sizeof(float), bytes.Length);
        var result = await host.Jobs.GetResultAsync(new GetResultRequest { JobId = MapHostFixture.DemoJob, Limit = MapHostFixture.Points });
        for (var i = 0; i < result.Coordinates.Count; i++)
            Assert.Equal(result.Coordinates[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float))));
        using var unchanged = await http.GetAsync("/api/map/jobs/demo/map?after=750");
        Assert.Equal(HttpStatusCode.NoContent, unchanged.StatusCode);

        using var thumbnail = await http.GetAsync("/api/map/thumbnail?collection=fashion-mnist&id=t10k-00001");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/png", thumbnail.Content.Headers.ContentType?.MediaType);
        using var image = SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        Assert.Equal((28, 28), (image.Width, image.Height));
    }

    [Fact]
    public async Task Neighbours_come_from_the_gateway_and_errors_carry_its_status_and_message()
    {
        var answer = await http.GetFromJsonAsync<JsonElement>("/api/map/neighbors?collection=fashion-mnist&id=t10k-00007&job=demo&k=5");
        var expected = await host.Neighbors.SearchAsync(new SearchRequest
        {
            Collection = MapHostFixture.Collection, Query = new NeighborQuery { Id = "t10k-00007" }, K = 5, Space = Space.Embedding,
        });
        Assert.Equal(expected.Neighbors.Select(n => n.Id), answer.GetProperty("embedding").EnumerateArray().Select(n => n.GetProperty("id").GetString()));
        Assert.Equal(5, answer.GetProperty("map").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("mapError").ValueKind);

        using var unknown = await http.GetAsync("/api/map/neighbors?collection=fashion-mnist&id=nope&job=demo");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("query.id: image 'nope'", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using var tooMany = await http.GetAsync("/api/map/neighbors?collection=fashion-mnist&id=t10k-00007&k=1000");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        using var noJob = await http.GetAsync("/api/map/jobs/no-such-job/points");
        Assert.Equal(HttpStatusCode.NotFound, noJob.StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    [GeneratedRegex("(?:src|href)=\"(?<path>[^\"]+)\"")]
    private static partial Regex Linked();

    [GeneratedRegex("from '(?<path>[^']+)'")]
    private static partial Regex Imports();

    public void Dispose() => http.Dispose();
}
