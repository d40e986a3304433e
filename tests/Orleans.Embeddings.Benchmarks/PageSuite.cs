using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The `page` suite: opens a host's map page on a completed job in Debian's chromium (driven by Playwright, headless)
/// and measures what a user waits for: the seconds until the whole map is drawn, and then the frames while the map
/// is zoomed in and out (every wheel event redraws every point). Options: --url (the host's web address), --job,
/// --frames (60).
/// </summary>
public static class PageSuite
{
    private const string Chromium = "/usr/bin/chromium";

    public static Dictionary<string, object?> Run(BenchmarkArguments arguments)
    {
        var url = arguments.String("url") ?? throw new ArgumentException("--url URL (the host's web address) is required.");
        var job = arguments.String("job") ?? throw new ArgumentException("--job JOB (a completed job) is required.");
        var frames = arguments.Int("frames", 60);
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"The page suite drives Debian's chromium at {Chromium}: apt-get install chromium.");
        return Measure(new Uri(url), job, frames).GetAwaiter().GetResult();
    }

    private static async Task<Dictionary<string, object?>> Measure(Uri host, string job, int frames)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        var clock = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(host, $"/?job={Uri.EscapeDataString(job)}").ToString());
        await page.WaitForSelectorAsync("#status[data-state=\"completed\"]:not([data-iteration=\"\"])", new() { Timeout = 600_000 });
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var status = await page.TextContentAsync("#status");

        // Each wheel event asks for one redraw of every point; the time between animation frames is what the
        // user sees (at least 16.7 ms, the display's period, when a frame costs less than that).
        var plot = await page.QuerySelectorAsync("#plot") ?? throw new InvalidOperationException("The page has no #plot.");
        var box = await plot.BoundingBoxAsync() ?? throw new InvalidOperationException("The plot is not visible.");
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        var intervals = await page.EvaluateAsync<double[]>(@"async (frames) => {
            const plot = document.getElementById('plot');
            const rect = plot.getBoundingClientRect();
            const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
            const times = [];
            await nextFrame();
            for (let i = 0; i < frames; i++) {
                plot.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 2 ? 120 : -120, clientX: rect.left + rect.width / 2,
                    clientY: rect.top + rect.height / 2, bubbles: true, cancelable: true }));
                times.push(await nextFrame());
            }
            return times.slice(1).map((t, i) => t - times[i]);
        }", frames);
        Array.Sort(intervals);
        double Quantile(double q) => intervals.Length == 0 ? double.NaN : intervals[Math.Min(intervals.Length - 1, (int)(q * intervals.Length))];
        if (errors.Count > 0) throw new InvalidOperationException("The page reported errors: " + string.Join("; ", errors));
        return new Dictionary<string, object?>
        {
            ["suite"] = "page",
            ["job"] = job,
            ["status"] = status,
            ["load_seconds"] = Math.Round(loadSeconds, 2),
            ["frames"] = intervals.Length,
            ["frame_ms_median"] = Math.Round(Quantile(0.5), 1),
            ["frame_ms_p95"] = Math.Round(Quantile(0.95), 1),
            ["frame_ms_max"] = Math.Round(intervals.LastOrDefault(), 1),
        };
    }
}
