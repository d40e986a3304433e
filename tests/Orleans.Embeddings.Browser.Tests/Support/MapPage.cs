using Microsoft.Playwright;
using SkiaSharp;

namespace Orleans.Embeddings.Browser.Tests.Support;

/// <summary>The map page open in a browser tab, with every console error and uncaught exception it reported.</summary>
public sealed class MapPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly List<string> errors = [];

    public MapPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add($"console: {message.Text}");
        };
        page.PageError += (_, error) =>
        {
            lock (errors) errors.Add($"uncaught: {error}");
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (errors) return [.. errors];
        }
    }

    public ILocator Plot => Page.Locator("#plot");

    /// <summary>Waits until the status line says the map of <paramref name="state"/> at <paramref name="iteration"/> is drawn.</summary>
    public Task WaitForMap(string state, int iteration, float timeoutMs = 60_000) =>
        Page.WaitForSelectorAsync($"#status[data-state=\"{state}\"][data-iteration=\"{iteration}\"]", new() { Timeout = timeoutMs });

    /// <summary>What the plot shows now, as pixels.</summary>
    public async Task<SKBitmap> Screenshot()
    {
        var png = await Plot.ScreenshotAsync(new LocatorScreenshotOptions { Type = ScreenshotType.Png });
        return SKBitmap.Decode(png) ?? throw new InvalidOperationException("The screenshot is not a PNG.");
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
