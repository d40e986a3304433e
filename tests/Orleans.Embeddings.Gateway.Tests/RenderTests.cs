using Orleans.Embeddings.Gateway.Tests.Support;
using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary><c>embeddings render</c> as a person runs it: the picture is read back pixel by pixel.</summary>
[Collection(HostCollection.Name)]
public sealed class RenderTests(HostFixture host) : IDisposable
{
    /// <summary>The first three label colours of the CLI's palette (Tableau 10), which the page shares.</summary>
    private static readonly SKColor[] Palette = [new(0x4e, 0x79, 0xa7), new(0xf2, 0x8e, 0x2b), new(0xe1, 0x57, 0x59)];

    private readonly DirectoryInfo files = Directory.CreateTempSubdirectory("embeddings-render-");

    private Task<CliProcess.Result> Cli(params string[] arguments) => CliProcess.Run(host.GrpcAddress, arguments);

    [Fact]
    public async Task Render_draws_every_point_in_its_labels_colour_with_a_legend()
    {
        var job = await host.CompletedJob();
        var path = Path.Combine(files.FullName, "map.png");
        var run = await Cli("render", job.JobId, "--output", path, "--width", "800", "--height", "600");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{HostFixture.PointCount} points, 3 labels", run.Output);

        using var picture = SKBitmap.Decode(path);
        Assert.Equal((800, 600), (picture.Width, picture.Height));
        const int legendLeft = 800 - 200;
        // The labels in ordinal order (blue, green, red) take the palette's first three colours.
        var plotted = new int[Palette.Length];
        var background = 0;
        for (var y = 0; y < picture.Height; y++)
            for (var x = 0; x < legendLeft; x++)
            {
                var pixel = picture.GetPixel(x, y);
                if (pixel == SKColors.White) background++;
                var label = Array.IndexOf(Palette, pixel);
                if (label >= 0) plotted[label]++;
            }
        Assert.All(plotted, count => Assert.True(count > 100, $"a label has only {count} pixels: {string.Join(", ", plotted)}"));
        Assert.True(background < legendLeft * picture.Height, "nothing was drawn");

        // The legend: one solid swatch per label, top to bottom in the same order.
        var swatches = Swatches(picture, legendLeft);
        Assert.Equal(Palette, swatches.Select(s => s.Color));
        Assert.True(swatches.Zip(swatches.Skip(1)).All(p => p.First.Top < p.Second.Top));
    }

    [Fact]
    public async Task Render_can_draw_thumbnails_in_place_of_a_sample_of_dots()
    {
        await ImageJobs.Ensure(host);
        var path = Path.Combine(files.FullName, "thumbnails.png");
        var run = await Cli("render", ImageJobs.Map2D, "--output", path, "--thumbnails", "12", "--thumbnail-size", "24", "--width", "900", "--height", "700");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("12 thumbnails", run.Output);
        using var picture = SKBitmap.Decode(path);
        Assert.Equal((900, 700), (picture.Width, picture.Height));
        // The images are pure red, green and blue, colours no dot has: those pixels are the thumbnails.
        var thumbnailPixels = 0;
        for (var y = 0; y < picture.Height; y++)
            for (var x = 0; x < picture.Width; x++)
                if (Array.IndexOf(ImageJobs.Colors, picture.GetPixel(x, y)) >= 0) thumbnailPixels++;
        Assert.True(thumbnailPixels > 12 * 100, $"only {thumbnailPixels} thumbnail pixels");
        Assert.Equal(Palette, Swatches(picture, 900 - 225).Select(s => s.Color));

        var tooSmall = await Cli("render", ImageJobs.Map2D, "--output", path, "--width", "10");
        Assert.Equal(2, tooSmall.ExitCode);
        Assert.StartsWith("error: --width", Assert.Single(tooSmall.ErrorLines));
    }

    /// <summary>The legend's swatches: 14 x 14 squares of one palette colour right of <paramref name="left"/>, top to bottom.</summary>
    private static List<(SKColor Color, int Top)> Swatches(SKBitmap picture, int left)
    {
        var found = new List<(SKColor Color, int Top)>();
        for (var y = 0; y + 14 <= picture.Height; y++)
            for (var x = left; x + 14 <= picture.Width; x++)
            {
                var color = picture.GetPixel(x, y);
                if (Array.IndexOf(Palette, color) < 0 || found.Any(f => f.Color == color)) continue;
                var solid = true;
                for (var dy = 0; dy < 14 && solid; dy++)
                    for (var dx = 0; dx < 14 && solid; dx++)
                        solid = picture.GetPixel(x + dx, y + dy) == color;
                if (solid) found.Add((color, y));
            }
        return found;
    }

    public void Dispose() => files.Delete(recursive: true);
}
