using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Orleans.Embeddings.Api.V1;
using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>
/// A pixels collection of small images that the host thumbnails, with metadata full of tabs, line breaks and
/// awkward keys, and two completed jobs over it, a 2-D and a 3-D map: what the Projector export and the render
/// command are tested on. Made once per host, by whichever test needs it first.
/// </summary>
public static class ImageJobs
{
    public const string Collection = "projector-images";

    public const string Map2D = "projector-2d";

    public const string Map3D = "projector-3d";

    public const int Count = 40;

    public static readonly string[] Labels = ["red", "green", "blue"];

    public static readonly SKColor[] Colors = [new(255, 0, 0), new(0, 255, 0), new(0, 0, 255)];

    private static readonly ConditionalWeakTable<HostFixture, Task<IReadOnlyList<IngestItem>>> Made = [];

    public static string Id(int row) => $"img-{row:D3}";

    public static int LabelOf(int row) => row % Labels.Length;

    /// <summary>The images' size: square, wide and tall in turn, so that the sprite must fit them into one cell shape.</summary>
    public static (int Width, int Height) SizeOf(int row) => (row % 3) switch
    {
        0 => (12, 12),
        1 => (16, 8),
        _ => (8, 16),
    };

    /// <summary>The ingested items, once the collection and both jobs exist and the jobs have completed.</summary>
    public static Task<IReadOnlyList<IngestItem>> Ensure(HostFixture host) => Made.GetValue(host, Make);

    private static async Task<IReadOnlyList<IngestItem>> Make(HostFixture host)
    {
        var clients = host.Clients;
        await clients.Collections.CreateCollectionAsync(new CreateCollectionRequest { Name = Collection, Provider = "pixels" });
        var items = Enumerable.Range(0, Count).Select(Item).ToArray();
        var response = await clients.Ingest(Collection, items);
        if (response.Accepted != Count) throw new InvalidOperationException($"Ingest accepted {response.Accepted} of {Count} images: {response.Rejections}");
        foreach (var (job, dimensions) in new[] { (Map2D, 2), (Map3D, 3) })
        {
            await clients.Jobs.StartJobAsync(new StartJobRequest
            {
                Collection = Collection,
                JobId = job,
                Partitions = 1,
                Parameters = new JobParameters { Perplexity = 5, EarlyExaggerationIterations = 50, Iterations = 50, OutputDimensions = dimensions },
            });
        }
        foreach (var job in new[] { Map2D, Map3D })
        {
            var done = await clients.WaitForJob(job, TimeSpan.FromMinutes(2));
            if (done.State != JobState.Completed) throw new InvalidOperationException($"Job {job} ended {done.State}: {done.Error}");
        }
        return items;
    }

    private static IngestItem Item(int row)
    {
        var item = new IngestItem
        {
            Id = Id(row),
            Image = ByteString.CopyFrom(Png(row)),
            Labels = { Labels[LabelOf(row)] },
            Metadata =
            {
                ["note"] = $"row {row}\twith a tab",
                ["lines"] = "first\nsecond\r\nthird \\ end",
                // Repeats a column the export makes itself.
                ["label"] = $"shadow {row}",
            },
        };
        if (row % 2 == 0) item.Metadata["odd\tkey"] = row.ToString(CultureInfo.InvariantCulture);
        return item;
    }

    /// <summary>The label's colour, with a few pixels in one corner that differ per image so that no two vectors are equal.</summary>
    private static byte[] Png(int row)
    {
        var (width, height) = SizeOf(row);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(Colors[LabelOf(row)]);
        var random = new Random(row);
        for (var y = 0; y < 2; y++)
            for (var x = 0; x < 2; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
