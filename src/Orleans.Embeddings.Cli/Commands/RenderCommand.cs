using System.CommandLine;
using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Exports;
using Orleans.Embeddings.Cli.Rendering;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings render JOB --output map.png</c>: a picture of a completed job's map, points coloured by label with a
/// legend, and optionally the thumbnails of a sample of points in place of their dots.
/// </summary>
public static class RenderCommand
{
    public static Command Build(GlobalOptions global)
    {
        var job = new Argument<string>("job") { Description = "A completed job." };
        var output = new Option<string?>("--output", "--out", "-o") { Description = "The PNG to write (default: JOB.png)." };
        var width = new Option<int>("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => 1600 };
        var height = new Option<int>("--height") { Description = "Height in pixels.", DefaultValueFactory = _ => 1200 };
        var thumbnails = new Option<int>("--thumbnails") { Description = "Draw the thumbnails of this many points, a random sample, instead of their dots.", DefaultValueFactory = _ => 0 };
        var thumbnailSize = new Option<int>("--thumbnail-size") { Description = "Longer side of a drawn thumbnail, in pixels.", DefaultValueFactory = _ => 32 };
        var radius = new Option<float?>("--point-size") { Description = "Radius of the dots in pixels (default: from the number of points)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the thumbnails' sample.", DefaultValueFactory = _ => 42 };
        var command = new Command("render", "Write a picture (PNG) of a completed job's map: points coloured by label, with a legend.")
        {
            job, output, width, height, thumbnails, thumbnailSize, radius, seed,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var jobId = parse.GetValue(job)!;
            var options = new MapPictureOptions(parse.GetValue(width), parse.GetValue(height), parse.GetValue(radius), parse.GetValue(thumbnailSize));
            if (options.Width is < MapPictureOptions.MinWidth or > 16384 || options.Height is < MapPictureOptions.MinHeight or > 16384)
                throw new UsageException($"--width and --height: from {MapPictureOptions.MinWidth} x {MapPictureOptions.MinHeight} to 16384 x 16384 pixels");
            if (options.PointRadius is <= 0 or > 100) throw new UsageException("--point-size: a radius from 0 to 100 pixels");
            if (options.ThumbnailSize is < 4 or > 512) throw new UsageException("--thumbnail-size: from 4 to 512 pixels");
            var sample = parse.GetValue(thumbnails);
            if (sample < 0) throw new UsageException("--thumbnails must not be negative");
            var path = Path.GetFullPath(parse.GetValue(output) ?? jobId + ".png");

            using var client = global.Connect(parse);
            var info = await client.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, cancellationToken: cancellation);
            var files = await ExportDownload.ReceiveInMemory(client, new ExportRequest { JobId = jobId, Format = ExportFormat.Map }, cancellation);
            var points = MapPoints.Parse(files["metadata.tsv"], files["map.tsv"]);
            var pictures = sample == 0 ? [] : await Thumbnails(client, info.Collection, points, sample, parse.GetValue(seed), cancellation);

            var title = $"t-SNE of {info.Collection} (job {jobId}): {points.Count.ToString("N0", CultureInfo.InvariantCulture)} points" +
                (points.Dimensions == 3 ? ", first two of three dimensions" : "");
            using var bitmap = MapPicture.Draw(points, pictures, options with { Title = title });
            if (Path.GetDirectoryName(path) is { } parent) Directory.CreateDirectory(parent);
            MapPicture.Save(bitmap, path);
            Console.WriteLine($"Wrote {path} ({options.Width} x {options.Height}, {points.Count} points, {points.LabelNames.Length} labels" +
                (sample > 0 ? $", {pictures.Count} thumbnails" : "") + ").");
            return 0;
        });
        return command;
    }

    /// <summary>The thumbnails of a seeded random sample of points, by point index; images without one are left out.</summary>
    private static async Task<Dictionary<int, byte[]>> Thumbnails(GatewayClient client, string collection, MapPoints points, int count,
        int seed, CancellationToken cancellation)
    {
        var indices = Enumerable.Range(0, points.Count).ToArray();
        new Random(seed).Shuffle(indices);
        var chosen = indices.Take(Math.Min(count, points.Count)).ToArray();
        var images = await Task.WhenAll(chosen.Select(i => client.Collections.GetImageAsync(
            new GetImageRequest { Collection = collection, Id = points.Ids[i], IncludeThumbnail = true }, cancellationToken: cancellation).ResponseAsync));
        return chosen.Zip(images).Where(p => !p.Second.Thumbnail.IsEmpty).ToDictionary(p => p.First, p => p.Second.Thumbnail.ToByteArray());
    }
}
