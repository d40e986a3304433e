using Orleans.Embeddings.Clarifai.Tests.Fake;

namespace Orleans.Embeddings.Clarifai.Tests;

[Collection(ClarifaiCollection.Name)]
public sealed class BatchingTests(ClarifaiFixture fixture)
{
    private FakeClarifai Server => fixture.Server;

    private ClarifaiCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_thousand_images_take_eight_full_requests_and_every_output_lands_on_its_own_image()
    {
        Server.Reset();
        ImageDescription[] images =
        [
            .. TestImages.Urls("thousand", 600),
            .. Enumerable.Range(0, 400).Select(i => TestImages.Inline($"thousand-bytes-{i:D4}", TestImages.Bytes("thousand", i))),
        ];
        await Cluster.AddCollection("thousand", images);

        var summary = await Cluster.EnsureEmbedded("thousand");

        Assert.Equal((1000, 1000, FakeVectors.Dimensions), (summary.Count, summary.Embedded, summary.Dimensions));
        Assert.Empty(summary.Failures);
        var requests = Server.Requests;
        Assert.All(requests, r => Assert.Equal(FakeOutcome.Answered, r.Outcome));
        Assert.InRange(requests.Count, 1, (1000 + 127) / 128);
        Assert.All(requests, r => Assert.InRange(r.Keys.Length, 1, 128));
        // Each content sent once, and the fake shuffled every response: a vector routed by position would be another image's.
        Assert.Equal(images.Select(TestImages.KeyOf).Order(), requests.SelectMany(r => r.Keys).Order());
        foreach (var image in images)
            Assert.Equal(TestImages.ExpectedVector(image), await Cluster.Image("thousand", image.Id).GetEmbedding());
    }

    [Fact]
    public async Task Images_with_the_same_content_under_other_ids_or_from_files_cost_one_input()
    {
        Server.Reset();
        var directory = Directory.CreateTempSubdirectory("clarifai-files-").FullName;
        try
        {
            var bytes = Enumerable.Range(0, 10).Select(i => TestImages.Bytes("same-content", i)).ToArray();
            var paths = bytes.Select((b, i) => Path.Combine(directory, $"{i}.jpg")).ToArray();
            for (var i = 0; i < bytes.Length; i++) await File.WriteAllBytesAsync(paths[i], bytes[i]);
            ImageDescription[] images =
            [
                .. bytes.Select((b, i) => TestImages.Inline($"inline-{i}", b)),
                .. paths.Select((p, i) => TestImages.File($"file-{i}", p)),
                .. TestImages.Urls("same-content", 10),
                .. TestImages.Urls("same-content", 10).Select(d => d with { Id = "again-" + d.Id }),
            ];
            await Cluster.AddCollection("same-content", images);

            var summary = await Cluster.EnsureEmbedded("same-content");

            Assert.Equal((40, 40), (summary.Count, summary.Embedded));
            var sent = Server.Requests.SelectMany(r => r.Keys).ToArray();
            Assert.Equal(20, sent.Length);
            Assert.Equal(images.Select(TestImages.KeyOf).Distinct().Order(), sent.Order());
            foreach (var image in images)
                Assert.Equal(TestImages.ExpectedVector(image), await Cluster.Image("same-content", image.Id).GetEmbedding());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Idx_records_are_sent_as_png_images_of_their_pixels()
    {
        Server.Reset();
        var directory = Directory.CreateTempSubdirectory("clarifai-idx-").FullName;
        try
        {
            var path = Path.Combine(directory, "images-idx3-ubyte");
            var pixels = TestIdx.Write(path, count: 3, rows: 28, columns: 28, seed: 5);
            var images = Enumerable.Range(0, 3)
                .Select(i => new ImageDescription($"record-{i}", new ImageSource(ImageSourceKind.IdxRecord, path, i), [], new Dictionary<string, string>()))
                .ToArray();
            await Cluster.AddCollection("idx", images);

            var summary = await Cluster.EnsureEmbedded("idx");

            Assert.Equal((3, 3), (summary.Count, summary.Embedded));
            var uploads = Server.Uploads;
            Assert.Equal(3, uploads.Count);
            for (var i = 0; i < 3; i++)
            {
                var key = uploads.Single(u => TestIdx.DecodeGrey(u.Value).SequenceEqual(pixels[i])).Key;
                Assert.Equal(FakeVectors.For(key), await Cluster.Image("idx", $"record-{i}").GetEmbedding());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
