using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Projector;
using Orleans.Embeddings.Gateway.Services;
using Orleans.Embeddings.Gateway.Tests.Support;
using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>
/// The Projector export through the gateway's Export stream: the zip is unpacked and every file parsed back, as
/// TensorBoard's projector plugin and the standalone projector would read them.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ProjectorExportTests(HostFixture host) : IDisposable
{
    private const int Dimensions = 32 * 32 * 3;

    private readonly DirectoryInfo files = Directory.CreateTempSubdirectory("embeddings-projector-");

    private static readonly string[] ExpectedFiles =
    [
        "projector_config.pbtxt", "projector_config.json", "tensors.tsv", "tensors.bytes", "map.tsv", "map.bytes",
        "metadata.tsv", "sprite.png", "bookmarks.txt", "map-bookmarks.txt",
    ];

    [Fact]
    public async Task The_configs_name_both_embeddings_with_their_shapes_and_paths_inside_the_folder()
    {
        await ImageJobs.Ensure(host);
        var folder = await Export(ImageJobs.Map2D);
        Assert.Equal(ExpectedFiles.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());

        var text = TextProto.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "projector_config.pbtxt")));
        Assert.Equal(["embeddings"], text.Names);
        var embeddings = text.Messages("embeddings").ToArray();
        Assert.Equal(2, embeddings.Length);
        Assert.Equal([ImageJobs.Count, Dimensions], embeddings[0].Numbers("tensor_shape"));
        Assert.Equal([ImageJobs.Count, 2], embeddings[1].Numbers("tensor_shape"));
        Assert.Equal(2, embeddings.Select(e => e.Value("tensor_name")).Distinct().Count());
        foreach (var embedding in embeddings)
        {
            Assert.EndsWith(".tsv", embedding.Value("tensor_path"));
            var sprite = Assert.Single(embedding.Messages("sprite"));
            Assert.Equal([12, 12], sprite.Numbers("single_image_dim"));
            foreach (var path in new[] { embedding.Value("tensor_path"), embedding.Value("metadata_path"), sprite.Value("image_path"), embedding.Value("bookmarks_path") })
                AssertInside(folder, path);
        }

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "projector_config.json")));
        var standalone = json.RootElement.GetProperty("embeddings").EnumerateArray().ToArray();
        Assert.Equal(2, standalone.Length);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("modelCheckpointPath").GetString()));
        for (var e = 0; e < 2; e++)
        {
            var entry = standalone[e];
            Assert.Equal(embeddings[e].Value("tensor_name"), entry.GetProperty("tensorName").GetString());
            Assert.Equal(embeddings[e].Numbers("tensor_shape"), entry.GetProperty("tensorShape").EnumerateArray().Select(v => v.GetInt32()));
            var tensorPath = entry.GetProperty("tensorPath").GetString()!;
            // The standalone projector reads .bytes with the shape: exactly N x D float32.
            Assert.EndsWith(".bytes", tensorPath);
            Assert.Equal(ImageJobs.Count * embeddings[e].Numbers("tensor_shape")[1] * sizeof(float), new FileInfo(Path.Combine(folder, tensorPath)).Length);
            Assert.Equal([12, 12], entry.GetProperty("sprite").GetProperty("singleImageDim").EnumerateArray().Select(v => v.GetInt32()));
            foreach (var path in new[] { tensorPath, entry.GetProperty("metadataPath").GetString()!, entry.GetProperty("sprite").GetProperty("imagePath").GetString()!, entry.GetProperty("bookmarksPath").GetString()! })
                AssertInside(folder, path);
        }
    }

    [Fact]
    public async Task The_tensors_hold_the_embeddings_and_the_map_in_point_order_as_tsv_and_as_float32_bytes()
    {
        var items = await ImageJobs.Ensure(host);
        var folder = await Export(ImageJobs.Map2D);
        var vectors = new List<float[]>();
        foreach (var item in items)
            vectors.Add([.. (await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = ImageJobs.Collection, Id = item.Id, IncludeEmbedding = true })).Embedding.Values]);
        Assert.All(vectors, v => Assert.Equal(Dimensions, v.Length));
        Assert.Equal(vectors, ReadTsv(Path.Combine(folder, "tensors.tsv")));
        Assert.Equal(vectors, ReadBytes(Path.Combine(folder, "tensors.bytes"), Dimensions));

        var result = await host.Clients.Jobs.GetResultAsync(new GetResultRequest { JobId = ImageJobs.Map2D });
        Assert.Equal(items.Select(i => i.Id), result.Ids);
        var map = result.Coordinates.Chunk(2).ToArray();
        Assert.Equal(map, ReadTsv(Path.Combine(folder, "map.tsv")));
        Assert.Equal(map, ReadBytes(Path.Combine(folder, "map.bytes"), 2));
    }

    [Fact]
    public async Task Metadata_has_a_header_and_one_row_per_image_with_tabs_and_line_breaks_escaped()
    {
        var items = await ImageJobs.Ensure(host);
        var folder = await Export(ImageJobs.Map2D);
        var raw = await File.ReadAllTextAsync(Path.Combine(folder, "metadata.tsv"));
        Assert.DoesNotContain('\r', raw);
        Assert.EndsWith("\n", raw);
        var lines = raw[..^1].Split('\n');
        // Two or more columns: the projectors take the first row as the header.
        Assert.Equal(ImageJobs.Count + 1, lines.Length);
        var header = lines[0].Split('\t');
        Assert.Equal(["id", "label", "source", "label (metadata)", "lines", "note", "odd\\tkey"], header);
        Assert.Equal("odd\tkey", TsvField.Unescape(header[6]));
        for (var row = 0; row < ImageJobs.Count; row++)
        {
            var fields = lines[row + 1].Split('\t');
            Assert.Equal(header.Length, fields.Length);
            var values = fields.Select(TsvField.Unescape).ToArray();
            var item = items[row];
            Assert.Equal(item.Id, values[0]);
            Assert.Equal(ImageJobs.Labels[ImageJobs.LabelOf(row)], values[1]);
            Assert.StartsWith("inline (", values[2]);
            Assert.Equal(item.Metadata["label"], values[3]);
            Assert.Equal("first\nsecond\r\nthird \\ end", values[4]);
            Assert.Equal($"row {row}\twith a tab", values[5]);
            Assert.Equal(row % 2 == 0 ? row.ToString(CultureInfo.InvariantCulture) : "", values[6]);
        }
    }

    [Fact]
    public async Task The_sprite_is_a_square_grid_of_every_thumbnail_row_major_from_the_top_left()
    {
        await ImageJobs.Ensure(host);
        var folder = await Export(ImageJobs.Map2D);
        using var sprite = SKBitmap.Decode(Path.Combine(folder, "sprite.png"));
        const int cell = 12;
        var columns = (int)Math.Ceiling(Math.Sqrt(ImageJobs.Count));
        Assert.Equal(7, columns);
        Assert.Equal((columns * cell, columns * cell), (sprite.Width, sprite.Height));
        Assert.True(sprite.Width <= SpriteLayout.MaxSide);
        for (var i = 0; i < columns * columns; i++)
        {
            var (x, y) = (i % columns * cell, i / columns * cell);
            var centre = sprite.GetPixel(x + cell / 2, y + cell / 2);
            if (i >= ImageJobs.Count)
            {
                Assert.Equal(0, centre.Alpha);
                continue;
            }
            Assert.Equal(ImageJobs.Colors[ImageJobs.LabelOf(i)], centre);
            // Wide and tall thumbnails keep their shape, centred in the cell: its edges across them stay empty.
            var (width, height) = ImageJobs.SizeOf(i);
            if (width > height) Assert.Equal(0, sprite.GetPixel(x + cell / 2, y).Alpha);
            if (height > width) Assert.Equal(0, sprite.GetPixel(x, y + cell / 2).Alpha);
        }
    }

    [Fact]
    public async Task The_bookmarks_carry_the_computed_map_so_the_projector_opens_on_it()
    {
        await ImageJobs.Ensure(host);
        foreach (var (job, dimensions) in new[] { (ImageJobs.Map2D, 2), (ImageJobs.Map3D, 3) })
        {
            var folder = await Export(job);
            var result = await host.Clients.Jobs.GetResultAsync(new GetResultRequest { JobId = job });
            Assert.Equal(dimensions, result.Dimensions);
            var text = TextProto.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "projector_config.pbtxt")));
            var embeddings = text.Messages("embeddings").ToArray();
            Assert.Equal([ImageJobs.Count, dimensions], embeddings[1].Numbers("tensor_shape"));
            foreach (var (embedding, width) in new[] { (embeddings[0], Dimensions), (embeddings[1], dimensions) })
            {
                using var bookmarks = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, embedding.Value("bookmarks_path"))));
                var state = Assert.Single(bookmarks.RootElement.EnumerateArray().ToArray());
                Assert.Equal("tsne", state.GetProperty("selectedProjection").GetString());
                Assert.Equal([ImageJobs.Count, width], state.GetProperty("dataSetDimensions").EnumerateArray().Select(v => v.GetInt32()));
                Assert.Equal(dimensions == 3, state.GetProperty("tSNEis3d").GetBoolean());
                Assert.Equal(100, state.GetProperty("tSNEIteration").GetInt32());
                Assert.Equal("label", state.GetProperty("selectedColorOptionName").GetString());
                Assert.Empty(state.GetProperty("selectedPoints").EnumerateArray());
                var projections = state.GetProperty("projections").EnumerateArray().ToArray();
                Assert.Equal(ImageJobs.Count, projections.Length);
                for (var point = 0; point < projections.Length; point++)
                {
                    var keys = projections[point].EnumerateObject().Select(p => p.Name).ToArray();
                    Assert.Equal(Enumerable.Range(0, dimensions).Select(d => $"tsne-{d}"), keys);
                    for (var d = 0; d < dimensions; d++)
                        Assert.Equal(result.Coordinates[point * dimensions + d], projections[point].GetProperty($"tsne-{d}").GetSingle());
                }
            }
        }
    }

    [Fact]
    public async Task The_map_format_streams_only_the_metadata_and_the_map()
    {
        await ImageJobs.Ensure(host);
        using var call = host.Clients.Export.ExportJob(new ExportRequest { JobId = ImageJobs.Map2D, Format = ExportFormat.Map });
        var chunks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal([ExportService.MetadataFile, ExportService.MapFile], chunks.Select(c => c.File).Distinct());
        var metadata = Encoding.UTF8.GetString(chunks.Where(c => c.File == ExportService.MetadataFile).SelectMany(c => c.Data.ToByteArray()).ToArray());
        Assert.Equal(["id\tlabel", .. Enumerable.Range(0, ImageJobs.Count).Select(r => $"{ImageJobs.Id(r)}\t{ImageJobs.Labels[ImageJobs.LabelOf(r)]}")],
            metadata.TrimEnd('\n').Split('\n'));
        Assert.Equal(ImageJobs.Count, Encoding.UTF8.GetString(chunks.Where(c => c.File == ExportService.MapFile).SelectMany(c => c.Data.ToByteArray()).ToArray())
            .TrimEnd('\n').Split('\n').Length);

        using var bad = host.Clients.Export.ExportJob(new ExportRequest { JobId = ImageJobs.Map2D, Format = (ExportFormat)42 });
        var error = await Assert.ThrowsAsync<RpcException>(() => bad.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("format: ", error.Status.Detail);
    }

    /// <summary>The Projector export of a job, received as projector.zip and unpacked; returns the folder.</summary>
    private async Task<string> Export(string job)
    {
        using var call = host.Clients.Export.ExportJob(new ExportRequest { JobId = job, Format = ExportFormat.Projector });
        var chunks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal([ExportService.ArchiveFile], chunks.Select(c => c.File).Distinct());
        Assert.True(chunks[^1].Last);
        Assert.All(chunks, c => Assert.True(c.Data.Length <= ExportService.ChunkBytes));
        using var zip = new ZipArchive(new MemoryStream(chunks.SelectMany(c => c.Data.ToByteArray()).ToArray()));
        // Every entry is a plain file at the archive's root.
        Assert.All(zip.Entries, entry => Assert.Equal(Path.GetFileName(entry.FullName), entry.FullName));
        var folder = Directory.CreateDirectory(Path.Combine(files.FullName, job)).FullName;
        zip.ExtractToDirectory(folder, overwriteFiles: true);
        return folder;
    }

    private static void AssertInside(string folder, string path)
    {
        Assert.False(Path.IsPathRooted(path), path);
        Assert.DoesNotContain("..", path.Split('/'));
        var full = Path.GetFullPath(Path.Combine(folder, path));
        Assert.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, full);
        Assert.True(File.Exists(full), $"{path} is not in the export");
    }

    private static List<float[]> ReadTsv(string path) =>
        [.. File.ReadAllLines(path).Select(line => line.Split('\t').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())];

    private static List<float[]> ReadBytes(string path, int columns)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, bytes.Length % (columns * sizeof(float)));
        return [.. Enumerable.Range(0, bytes.Length / sizeof(float)).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)))).Chunk(columns)];
    }

    public void Dispose() => files.Delete(recursive: true);
}
