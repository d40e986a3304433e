using Microsoft.Playwright;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Browser.Tests.Support;
using SkiaSharp;

namespace Orleans.Embeddings.Browser.Tests;

/// <summary>The map page at / in a real browser (Debian's chromium, headless), against the running host.</summary>
[Collection(MapHostCollection.Name)]
public sealed class MapPageTests(MapHostFixture host)
{
    private const int DemoIterations = 750;

    [Fact]
    public async Task The_page_opens_on_the_demo_map_draws_every_label_and_reports_no_errors()
    {
        await using var map = await host.OpenPage();
        await map.WaitForMap("completed", DemoIterations);
        Assert.Equal(MapHostFixture.DemoJob, await map.Page.Locator("#job").InputValueAsync());
        Assert.Contains($"{MapHostFixture.Points} points", await map.Page.Locator("#status").TextContentAsync());

        // The legend lists the ten classes in ordinal order, with their counts and the palette's colours.
        var legend = map.Page.Locator("#legend li");
        Assert.Equal(10, await legend.CountAsync());
        var names = FashionMnistSample.ClassNames.Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            var entry = legend.Nth(i);
            Assert.Equal(names[i], await entry.Locator(".name").TextContentAsync());
            var color = Pixels.Palette[i];
            Assert.Equal($"rgb({color.Red}, {color.Green}, {color.Blue})", await entry.Locator(".swatch").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        }
        var total = 0;
        for (var i = 0; i < names.Length; i++) total += int.Parse(await legend.Nth(i).Locator(".count").TextContentAsync() ?? "0");
        Assert.Equal(MapHostFixture.Points, total);

        // The canvas has drawn the points: many pixels off the background, in every label's colour.
        using var shot = await map.Screenshot();
        var drawn = Pixels.Drawn(shot);
        Assert.True(drawn > MapHostFixture.Points * 4, $"only {drawn} pixels drawn");
        Assert.All(Pixels.PaletteCounts(shot), count => Assert.True(count > 20, $"a label has {count} pixels"));
        Assert.Empty(map.Errors);
    }

    [Fact]
    public async Task Hovering_a_point_shows_its_thumbnail_id_and_label()
    {
        await using var map = await host.OpenPage();
        await map.WaitForMap("completed", DemoIterations);
        using var shot = await map.Screenshot();
        var box = await map.Plot.BoundingBoxAsync() ?? throw new InvalidOperationException("The plot has no box.");
        var (x, y) = Pixels.DotCentres(shot)[0];
        await map.Page.Mouse.MoveAsync(box.X + x, box.Y + y);

        var tooltip = map.Page.Locator("#tooltip");
        await tooltip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 10_000 });
        var text = await map.Page.Locator("#tooltip-text").TextContentAsync() ?? "";
        Assert.Matches(@"^t10k-\d{5} · ", text);
        Assert.Contains(text.Split(" · ")[1], FashionMnistSample.ClassNames);
        // The thumbnail is the image's own, 28 x 28 pixels, loaded from the host.
        await map.Page.WaitForFunctionAsync("() => { const i = document.getElementById('tooltip-image'); return i.complete && i.naturalWidth > 0; }",
            null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.Equal(28, await map.Page.Locator("#tooltip-image").EvaluateAsync<int>("i => i.naturalWidth"));

        // Off the map, the tooltip goes.
        await map.Page.Mouse.MoveAsync(box.X + 2, box.Y + 2);
        await tooltip.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden, Timeout = 10_000 });
        Assert.Empty(map.Errors);
    }

    [Fact]
    public async Task Clicking_a_point_lists_its_nearest_neighbours_in_both_spaces_and_highlights_them()
    {
        await using var map = await host.OpenPage();
        await map.WaitForMap("completed", DemoIterations);
        using var before = await map.Screenshot();
        var box = await map.Plot.BoundingBoxAsync() ?? throw new InvalidOperationException("The plot has no box.");
        var (x, y) = Pixels.DotCentres(before)[0];
        await map.Page.Mouse.ClickAsync(box.X + x, box.Y + y);

        var embedding = map.Page.Locator("#neighbors-embedding li");
        var onMap = map.Page.Locator("#neighbors-map li");
        await map.Page.WaitForFunctionAsync(
            "() => document.querySelectorAll('#neighbors-embedding li').length === 10 && document.querySelectorAll('#neighbors-map li').length === 10",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var selected = await map.Page.Locator("#selected").GetAttributeAsync("data-id") ?? "";
        Assert.Matches(@"^t10k-\d{5}$", selected);

        // The lists are the gateway's own answers for that image, in order.
        foreach (var (list, space) in new[] { (embedding, Space.Embedding), (onMap, Space.Map) })
        {
            var expected = await host.Neighbors.SearchAsync(new SearchRequest
            {
                Collection = MapHostFixture.Collection, Query = new NeighborQuery { Id = selected }, K = 10, Space = space,
                JobId = space == Space.Map ? MapHostFixture.DemoJob : "",
            });
            var shown = new List<string>();
            for (var i = 0; i < await list.CountAsync(); i++) shown.Add(await list.Nth(i).GetAttributeAsync("data-id") ?? "");
            Assert.Equal(expected.Neighbors.Select(n => n.Id), shown);
        }

        // The highlights: the rest of the map fades, and the selection and its neighbours are drawn over it.
        await map.Page.WaitForTimeoutAsync(200);
        using var after = await map.Screenshot();
        Assert.True(Pixels.PaletteCounts(after).Sum() < Pixels.PaletteCounts(before).Sum() / 2, "the map did not fade around the selection");
        var dark = 0;
        for (var py = 0; py < after.Height; py++)
            for (var px = 0; px < after.Width; px++)
                if (after.GetPixel(px, py) is { Red: < 40, Green: < 40, Blue: < 40 }) dark++;
        Assert.True(dark > 100, $"only {dark} pixels of outline around the selection and its neighbours");

        // A neighbour in the list selects that image in turn.
        var next = await embedding.Nth(0).GetAttributeAsync("data-id");
        await embedding.Nth(0).ClickAsync();
        await map.Page.WaitForSelectorAsync($"#selected[data-id=\"{next}\"]", new() { Timeout = 10_000 });
        Assert.Empty(map.Errors);
    }

    [Fact]
    public async Task While_a_job_runs_its_points_move_as_the_iterations_arrive()
    {
        const string jobId = "browser-live";
        await host.Jobs.StartJobAsync(new StartJobRequest
        {
            Collection = MapHostFixture.Collection,
            JobId = jobId,
            Parameters = new JobParameters { Perplexity = 20, EarlyExaggerationIterations = 100, Iterations = 100_000, Seed = 3 },
        });
        try
        {
            await host.WaitForJob(jobId, TimeSpan.FromMinutes(2), j => j.State == JobState.Running && j.Iteration > 0);
            await using var map = await host.OpenPage($"/?job={jobId}");
            await map.Page.WaitForSelectorAsync("#status[data-state=\"running\"]:not([data-iteration=\"\"])", new() { Timeout = 30_000 });
            var first = int.Parse(await map.Page.Locator("#status").GetAttributeAsync("data-iteration") ?? "");
            using var early = await map.Screenshot();

            // Later maps arrive by themselves, and the dots move with them.
            await map.Page.WaitForFunctionAsync($"() => Number(document.getElementById('status').dataset.iteration) > {first}",
                null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            await map.Page.WaitForTimeoutAsync(400);
            using var later = await map.Screenshot();
            Assert.True(Pixels.Drawn(later) > MapHostFixture.Points, "the running map is not drawn");
            var changed = 0;
            for (var y = 0; y < early.Height; y++)
                for (var x = 0; x < early.Width; x++)
                    if (early.GetPixel(x, y) != later.GetPixel(x, y)) changed++;
            Assert.True(changed > MapHostFixture.Points, $"only {changed} pixels changed between iteration {first} and a later one");
            Assert.Equal("running", await map.Page.Locator("#status").GetAttributeAsync("data-state"));
            Assert.Empty(map.Errors);
        }
        finally
        {
            await host.Jobs.CancelJobAsync(new CancelJobRequest { JobId = jobId });
        }
    }
}
