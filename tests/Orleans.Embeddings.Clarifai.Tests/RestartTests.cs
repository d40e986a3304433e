using Orleans.Embeddings.Clarifai.Tests.Fake;

namespace Orleans.Embeddings.Clarifai.Tests;

/// <summary>Never paying twice across restarts: these tests start and stop clusters of their own on one database file.</summary>
[Collection(ClarifaiCollection.Name)]
public sealed class RestartTests(ClarifaiFixture fixture)
{
    private FakeClarifai Server => fixture.Server;

    [Fact]
    public async Task After_a_cluster_restart_known_images_and_known_content_cost_no_request()
    {
        Server.Reset();
        var directory = Directory.CreateTempSubdirectory("clarifai-restart-").FullName;
        try
        {
            var database = Path.Combine(directory, "grains.db");
            var file = Path.Combine(directory, "photo.jpg");
            await File.WriteAllBytesAsync(file, TestImages.Bytes("restart", 1000));
            ImageDescription[] images =
            [
                .. TestImages.Urls("restart", 60),
                .. Enumerable.Range(0, 40).Select(i => TestImages.Inline($"restart-bytes-{i}", TestImages.Bytes("restart", i))),
                TestImages.File("restart-file", file),
            ];
            await using (var first = await ClarifaiCluster.Start(Server, database))
            {
                await first.AddCollection("kept", images);
                var summary = await first.EnsureEmbedded("kept");
                Assert.Equal((101, 101), (summary.Count, summary.Embedded));
            }
            var paid = Server.Requests.Count;
            Assert.InRange(paid, 1, 2);

            await using var second = await ClarifaiCluster.Start(Server, database);
            // The same images ingested again under their ids, then the same content under new ids.
            await second.AddCollection("kept", images);
            var again = await second.EnsureEmbedded("kept");
            var copies = images.Select(i => i with { Id = "copy-" + i.Id }).ToArray();
            await second.AddCollection("copies", copies);
            var copied = await second.EnsureEmbedded("copies");

            Assert.Equal((101, 101), (again.Count, again.Embedded));
            Assert.Equal((101, 101), (copied.Count, copied.Embedded));
            Assert.Equal(paid, Server.Requests.Count);
            foreach (var image in images)
            {
                var expected = TestImages.ExpectedVector(image);
                Assert.Equal(expected, await second.Image("kept", image.Id).GetEmbedding());
                Assert.Equal(expected, await second.Image("copies", "copy-" + image.Id).GetEmbedding());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
