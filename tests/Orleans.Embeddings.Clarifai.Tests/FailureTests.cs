using Orleans.Embeddings.Clarifai.Tests.Fake;
using Orleans.Embeddings.Grains.Providers.Clarifai;

namespace Orleans.Embeddings.Clarifai.Tests;

[Collection(ClarifaiCollection.Name)]
public sealed class FailureTests(ClarifaiFixture fixture)
{
    private FakeClarifai Server => fixture.Server;

    private ClarifaiCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Throttling_and_an_outage_delay_the_images_but_lose_none_and_pay_for_none_twice()
    {
        Server.Reset();
        var images = TestImages.Urls("outage", 300);
        await Cluster.AddCollection("outage", images);
        Server.GoDown(TimeSpan.FromSeconds(1.5));
        Server.Throttle(2);
        Server.Busy(1);
        Server.TryAgainOnce(images.Take(3).Select(TestImages.KeyOf));

        var summary = await Cluster.EnsureEmbedded("outage");

        Assert.Equal((300, 300), (summary.Count, summary.Embedded));
        var requests = Server.Requests;
        Assert.Contains(requests, r => r.Outcome == FakeOutcome.Down);
        Assert.Equal(2, requests.Count(r => r.Outcome == FakeOutcome.Throttled));
        Assert.Equal(1, requests.Count(r => r.Outcome == FakeOutcome.Busy));
        // Every image was charged exactly once, retries and "try again" outputs included.
        Assert.Equal(images.Select(TestImages.KeyOf).Order(), Server.Embedded.Keys.Order());
        Assert.All(Server.Embedded.Values, n => Assert.Equal(1, n));
        foreach (var image in images)
            Assert.Equal(TestImages.ExpectedVector(image), await Cluster.Image("outage", image.Id).GetEmbedding());
        // Retries pass the rate limiter too: however fast the backoff, no second saw more than the configured rate
        // (one more at most, where a token refilled just after the first request of the second).
        var times = requests.Select(r => r.At).ToArray();
        Assert.True(times.Length > ClarifaiCluster.RequestsPerSecond + 1, $"only {times.Length} requests");
        var busiest = times.Max(t => times.Count(u => u >= t && u < t + TimeSpan.FromSeconds(1)));
        Assert.InRange(busiest, 1, (int)ClarifaiCluster.RequestsPerSecond + 1);
    }

    [Fact]
    public async Task A_bad_token_gives_one_clear_error_and_marks_no_image_failed()
    {
        Server.Reset();
        var images = TestImages.Urls("bad-token", 200);
        await Cluster.AddCollection("bad-token", images);
        Server.ExpectPat("a-token-the-silo-does-not-have");

        var error = await Assert.ThrowsAsync<ClarifaiAuthenticationException>(() => Cluster.EnsureEmbedded("bad-token"));

        Assert.Contains("personal access token", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeClarifai.Pat, error.Message, StringComparison.Ordinal);
        // Not retried: at most the two batches that were already on their way when the first answer came.
        var requests = Server.Requests;
        Assert.InRange(requests.Count, 1, 2);
        Assert.All(requests, r => Assert.Equal(FakeOutcome.Unauthorized, r.Outcome));
        foreach (var image in images)
        {
            var info = await Cluster.Image("bad-token", image.Id).GetInfo();
            Assert.Equal(EmbeddingStatus.Pending, info.Status);
            Assert.Null(info.Failure);
        }

        // With a token Clarifai accepts, the same images go through.
        Server.ExpectPat(FakeClarifai.Pat);
        var summary = await Cluster.EnsureEmbedded("bad-token");
        Assert.Equal((200, 200), (summary.Count, summary.Embedded));
    }

    [Fact]
    public async Task Per_image_failures_are_recorded_on_those_images_only_and_retried_on_request()
    {
        Server.Reset();
        var images = TestImages.Urls("per-image", 200);
        var broken = images.Where((_, i) => i % 40 == 7).ToArray();
        var stunted = images.Where((_, i) => i % 100 == 50).ToArray();
        await Cluster.AddCollection("per-image", images);
        Server.FailDownloads(broken.Select(TestImages.KeyOf));
        Server.ReturnShortVectors(stunted.Select(TestImages.KeyOf));

        var first = await Cluster.EnsureEmbedded("per-image");

        Assert.Equal((200, 200 - broken.Length - stunted.Length), (first.Count, first.Embedded));
        Assert.Equal(broken.Concat(stunted).Select(i => i.Id).Order(), first.Failures.Select(f => f[..f.IndexOf(':')]).Order());
        foreach (var image in broken)
        {
            var info = await Cluster.Image("per-image", image.Id).GetInfo();
            Assert.Equal(EmbeddingStatus.Failed, info.Status);
            Assert.Contains("30002 Input download failed", info.Failure, StringComparison.Ordinal);
        }
        foreach (var image in stunted)
        {
            var info = await Cluster.Image("per-image", image.Id).GetInfo();
            Assert.Equal(EmbeddingStatus.Failed, info.Status);
            Assert.Contains("512 dimensions", info.Failure, StringComparison.Ordinal);
            Assert.Null(await Cluster.Image("per-image", image.Id).GetEmbedding());
        }
        var before = Server.Requests.Count;

        Server.Heal();
        var second = await Cluster.EnsureEmbedded("per-image");

        Assert.Equal((200, 200), (second.Count, second.Embedded));
        // Only the failed images went out again, in one request.
        var retry = Assert.Single(Server.Requests.Skip(before));
        Assert.Equal(broken.Concat(stunted).Select(TestImages.KeyOf).Order(), retry.Keys.Order());
        foreach (var image in images)
            Assert.Equal(TestImages.ExpectedVector(image), await Cluster.Image("per-image", image.Id).GetEmbedding());
    }

    [Fact]
    public async Task A_request_whose_every_image_fails_records_each_reason()
    {
        Server.Reset();
        var images = TestImages.Urls("all-broken", 3);
        await Cluster.AddCollection("all-broken", images);
        Server.FailDownloads(images.Select(TestImages.KeyOf));

        var summary = await Cluster.EnsureEmbedded("all-broken");

        Assert.Equal((3, 0), (summary.Count, summary.Embedded));
        Assert.All(summary.Failures, f => Assert.Contains("30002", f, StringComparison.Ordinal));
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task A_request_refused_as_a_whole_is_narrowed_down_to_the_image_at_fault()
    {
        Server.Reset();
        var images = TestImages.Urls("refused", 40);
        await Cluster.AddCollection("refused", images);
        Server.RefuseRequestsWith([TestImages.KeyOf(images[13])]);

        var summary = await Cluster.EnsureEmbedded("refused");

        Assert.Equal((40, 39), (summary.Count, summary.Embedded));
        var failure = Assert.Single(summary.Failures);
        Assert.StartsWith(images[13].Id + ":", failure, StringComparison.Ordinal);
        Assert.Contains("40001", failure, StringComparison.Ordinal);
        Assert.All(Server.Embedded.Values, n => Assert.Equal(1, n));
        Assert.Equal(39, Server.Embedded.Count);
        // Halving 40 inputs down to one takes a handful of requests, not one per image.
        Assert.InRange(Server.Requests.Count, 2, 13);
    }
}
