using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;
using Orleans.Embeddings.ProcessCluster;
using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>The command-line client as a person runs it, against the running silo host.</summary>
[Collection(HostCollection.Name)]
public sealed class CliTests(HostFixture host) : IDisposable
{
    private readonly DirectoryInfo files = Directory.CreateTempSubdirectory("embeddings-cli-");

    private Task<CliProcess.Result> Cli(params string[] arguments) => CliProcess.Run(host.GrpcAddress, arguments);

    [Fact]
    public async Task Ingest_reads_a_projector_pair_a_npy_a_folder_of_images_and_an_idx_pair()
    {
        var vectors = TestVectors.Generate(40, seed: 5);
        var tensors = Path.Combine(files.FullName, "tensors.tsv");
        await File.WriteAllLinesAsync(tensors, vectors.Select(v => string.Join('\t', v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)))));
        await File.WriteAllLinesAsync(Path.Combine(files.FullName, "metadata.tsv"),
            ["id\tlabel\tsource", .. vectors.Select((_, i) => $"tsv-{i}\t{TestVectors.LabelOf(i)}\tgenerated")]);
        var tsv = await Cli("ingest", "cli-tsv", tensors);
        Assert.True(tsv.ExitCode == 0, tsv.ToString());
        Assert.Contains("Created collection 'cli-tsv' (provider vectors).", tsv.Output);
        Assert.Contains("40 of 40 items accepted", tsv.Output);
        var image = await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = "cli-tsv", Id = "tsv-3", IncludeEmbedding = true });
        Assert.Equal(vectors[3], image.Embedding.Values);
        Assert.Equal([TestVectors.LabelOf(3)], image.Labels);
        Assert.Equal("generated", image.Metadata["source"]);

        var npy = Path.Combine(files.FullName, "vectors.npy");
        await File.WriteAllBytesAsync(npy, Npy(vectors));
        var fromNpy = await Cli("ingest", "cli-npy", npy, "--metadata", Path.Combine(files.FullName, "metadata.tsv"));
        Assert.True(fromNpy.ExitCode == 0, fromNpy.ToString());
        Assert.Equal(vectors[7], (await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = "cli-npy", Id = "tsv-7", IncludeEmbedding = true })).Embedding.Values);

        var folder = Directory.CreateDirectory(Path.Combine(files.FullName, "images"));
        foreach (var (label, color) in new[] { ("reds", SKColors.Red), ("blues", SKColors.Blue) })
        {
            var classFolder = Directory.CreateDirectory(Path.Combine(folder.FullName, label));
            for (var i = 0; i < 3; i++) await File.WriteAllBytesAsync(Path.Combine(classFolder.FullName, $"{i}.png"), TestImages.Png(8 + i, 8, color));
        }
        var images = await Cli("ingest", "cli-images", folder.FullName);
        Assert.True(images.ExitCode == 0, images.ToString());
        Assert.Contains("(provider pixels)", images.Output);
        Assert.Contains("6 of 6 items accepted", images.Output);
        var blue = await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = "cli-images", Id = "blues/2.png", IncludeEmbedding = true });
        Assert.Equal(["blues"], blue.Labels);
        Assert.Equal(EmbeddingState.Embedded, blue.State);

        var idx = await Cli("ingest", "cli-idx", FashionMnist("t10k-images-idx3-ubyte.gz"), "--labels", FashionMnist("t10k-labels-idx1-ubyte.gz"),
            "--label-names", "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot", "--limit", "200", "--id-prefix", "fm-");
        Assert.True(idx.ExitCode == 0, idx.ToString());
        Assert.Contains("200 of 200 items accepted", idx.Output);
        var first = await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = "cli-idx", Id = "fm-00000", IncludeEmbedding = true });
        Assert.Equal(["Ankle boot"], first.Labels);
        Assert.Equal(784, first.Embedding.Values.Count);
        Assert.All(first.Embedding.Values, v => Assert.InRange(v, 0f, 1f));

        // An IDX pair written here, uncompressed: the reader takes both forms.
        var small = Path.Combine(files.FullName, "small-images-idx3-ubyte");
        var smallLabels = Path.Combine(files.FullName, "small-labels-idx1-ubyte");
        await File.WriteAllBytesAsync(small, Idx([0, 0, 8, 3], [5, 2, 2], Enumerable.Range(0, 20).Select(i => (byte)(i * 12)).ToArray()));
        await File.WriteAllBytesAsync(smallLabels, Idx([0, 0, 8, 1], [5], [0, 1, 0, 1, 1]));
        var smallIdx = await Cli("ingest", "cli-small", small, "--labels", smallLabels);
        Assert.True(smallIdx.ExitCode == 0, smallIdx.ToString());
        var second = await host.Clients.Collections.GetImageAsync(new GetImageRequest { Collection = "cli-small", Id = "1", IncludeEmbedding = true });
        Assert.Equal(new[] { 48, 60, 72, 84 }.Select(v => v / 255f), second.Embedding.Values);
        Assert.Equal(["1"], second.Labels);
    }

    [Fact]
    public async Task Tsne_shows_progress_until_the_job_completes_and_writes_the_map()
    {
        var map = Path.Combine(files.FullName, "map.tsv");
        var run = await Cli("tsne", HostFixture.Points, "--job", "cli-job", "--perplexity", "10", "--early-iterations", "100", "--iterations", "2900",
            "--partitions", "2", "--kl-every", "20", "--output", map);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Started job cli-job over collection 'points': 3000 iterations.", run.Output);
        var progress = run.OutputLines.Where(l => l.StartsWith("job cli-job: ", StringComparison.Ordinal)).ToArray();
        var iterations = progress.Select(l => int.Parse(l.Split("iteration ")[1].Split('/')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(iterations.Distinct().Count() >= 3, run.ToString());
        Assert.Equal(iterations.Order(), iterations);
        Assert.Contains(progress, l => l.Contains(" left", StringComparison.Ordinal));
        Assert.Contains("job cli-job: completed, iteration 3000/3000", run.Output);
        Assert.Contains("Job cli-job completed: 300 points, KL ", run.Output);

        var lines = await File.ReadAllLinesAsync(map);
        Assert.Equal("id\tx\ty", lines[0]);
        Assert.Equal(Enumerable.Range(0, HostFixture.PointCount).Select(TestVectors.Id), lines[1..].Select(l => l.Split('\t')[0]));

        var jobs = await Cli("jobs");
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        Assert.Contains("cli-job", jobs.Output);
        Assert.Contains("completed", jobs.Output);

        // The Projector folder, as the README's one-liner writes it.
        var projector = Path.Combine(files.FullName, "projector");
        var export = await Cli("export", "--job", "cli-job", "--out", projector);
        Assert.True(export.ExitCode == 0, export.ToString());
        foreach (var file in new[] { "projector_config.pbtxt", "projector_config.json", "tensors.bytes", "map.bytes", "bookmarks.txt", "map-bookmarks.txt" })
            Assert.True(File.Exists(Path.Combine(projector, file)), export.ToString());
        foreach (var file in new[] { "tensors.tsv", "metadata.tsv", "map.tsv" })
            Assert.Equal(file == "metadata.tsv" ? HostFixture.PointCount + 1 : HostFixture.PointCount,
                (await File.ReadAllLinesAsync(Path.Combine(projector, file))).Length);
        var plain = await Cli("export", "cli-job", "--format", "tsv", "--output", Path.Combine(files.FullName, "tsv"));
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal(["map.tsv", "metadata.tsv", "tensors.tsv"], Directory.GetFiles(Path.Combine(files.FullName, "tsv")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Neighbors_prints_the_nearest_images_and_status_the_state_of_the_gateway()
    {
        var expected = BruteForce.Nearest(host.StoredVectors, host.StoredVectors[12], 3, exclude: 12).Select(e => TestVectors.Id(e.Row)).ToArray();
        var run = await Cli("neighbors", HostFixture.Points, "--id", TestVectors.Id(12), "-k", "3");
        Assert.True(run.ExitCode == 0, run.ToString());
        // Table rows: "│ 1 │ p0123 │ 1.234 │ red │" (or ASCII bars where the console lacks Unicode).
        var ranked = run.OutputLines.Where(l => l[0] is '│' or '|' && l.Contains(" p0", StringComparison.Ordinal))
            .Select(l => l.Split(['│', '|'], StringSplitOptions.TrimEntries)[2]).ToArray();
        Assert.Equal(expected, ranked);

        var status = await Cli("status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("SERVING", status.Output);
        Assert.Contains(HostFixture.Points, status.Output);
        var collection = await Cli("status", HostFixture.Points);
        Assert.Contains($"Collection 'points': provider vectors, 16 dimensions, {HostFixture.PointCount} images", collection.Output);
    }

    [Fact]
    public async Task A_bad_argument_or_request_is_one_line_on_standard_error_and_a_non_zero_exit_code()
    {
        var missing = await Cli("tsne");
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(missing.ErrorLines));

        var unknown = await Cli("neighbors", "no-such-collection", "--id", "x");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: NOT_FOUND: collection: collection 'no-such-collection' does not exist", Assert.Single(unknown.ErrorLines));

        var perplexity = await Cli("tsne", HostFixture.Points, "--perplexity", "1000");
        Assert.Equal(1, perplexity.ExitCode);
        Assert.StartsWith("error: INVALID_ARGUMENT: parameters.perplexity: ", Assert.Single(perplexity.ErrorLines));

        var choice = await Cli("tsne", HostFixture.Points, "--init", "spiral");
        Assert.Equal(2, choice.ExitCode);
        Assert.Contains("spiral", Assert.Single(choice.ErrorLines));

        var number = await Cli("neighbors", HostFixture.Points, "--vector", "1,two");
        Assert.Equal(2, number.ExitCode);
        Assert.Equal("error: --vector: 'two' is not a number", Assert.Single(number.ErrorLines));

        var file = await Cli("ingest", "anything", Path.Combine(files.FullName, "nothing-here.tsv"));
        Assert.Equal(2, file.ExitCode);
        Assert.StartsWith("error: path: ", Assert.Single(file.ErrorLines));

        var nowhere = await CliProcess.Run(new Uri("http://127.0.0.1:9"), "status");
        Assert.Equal(1, nowhere.ExitCode);
        Assert.StartsWith("error: UNAVAILABLE: cannot reach the gateway", Assert.Single(nowhere.ErrorLines));
    }

    private static string FashionMnist(string file) => Path.Combine(BuiltProject.RepositoryRoot(), "data", "fashion-mnist", file);

    /// <summary>A .npy of float32 rows, as numpy.save writes it (format 1.0).</summary>
    private static byte[] Npy(float[][] rows)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Length}, {rows[0].Length}), }}";
        header = header.PadRight(64 * ((10 + header.Length + 1 + 63) / 64) - 10 - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, .. "NUMPY"u8, 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        foreach (var row in rows)
            foreach (var value in row)
                stream.Write(BitConverter.GetBytes(value));
        return stream.ToArray();
    }

    /// <summary>An IDX file: the magic bytes, big-endian sizes, then the values.</summary>
    private static byte[] Idx(byte[] magic, int[] sizes, byte[] values)
    {
        var bytes = new byte[4 + 4 * sizes.Length + values.Length];
        magic.CopyTo(bytes, 0);
        for (var d = 0; d < sizes.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), sizes[d]);
        values.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    public void Dispose() => files.Delete(recursive: true);
}
