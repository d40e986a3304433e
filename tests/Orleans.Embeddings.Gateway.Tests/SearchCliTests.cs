using Orleans.Embeddings.Gateway.Tests.Support;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>The CLI's search commands as a person runs them: suggest, trust, index, and neighbors with --exact and --ef.</summary>
[Collection(HostCollection.Name)]
public sealed class SearchCliTests(HostFixture host)
{
    private Task<CliProcess.Result> Cli(params string[] arguments) => CliProcess.Run(host.GrpcAddress, arguments);

    [Fact]
    public async Task Suggest_trust_index_and_neighbors_print_what_the_gateway_answers()
    {
        var suggest = await Cli("suggest", HostFixture.Points, "--id", TestVectors.Id(3), "-k", "5");
        Assert.True(suggest.ExitCode == 0, suggest.ToString());
        Assert.Contains($"Labels for {TestVectors.Id(3)} from 5 neighbours:", suggest.Output);
        Assert.Matches(@"red\s*│\s*100%\s*│\s*5", suggest.Output);

        var neighbors = await Cli("neighbors", HostFixture.Points, "--id", TestVectors.Id(1), "-k", "3", "--exact", "--ef", "50");
        Assert.True(neighbors.ExitCode == 0, neighbors.ToString());
        foreach (var (row, _) in BruteForce.Nearest(host.StoredVectors, host.StoredVectors[1], 3, exclude: 1))
            Assert.Contains(TestVectors.Id(row), neighbors.Output);

        var index = await Cli("index", HostFixture.Points, "--build");
        Assert.True(index.ExitCode == 0, index.ToString());
        Assert.Contains($"Index of '{HostFixture.Points}' (euclidean): {HostFixture.PointCount} of {HostFixture.PointCount} images searchable", index.Output);
        Assert.Contains("M 16, ef_construction 200", index.Output);

        var job = await host.CompletedJob();
        var trust = await Cli("trust", HostFixture.Points, "--map", job.JobId, "--top", "3");
        Assert.True(trust.ExitCode == 0, trust.ToString());
        Assert.Contains($"Map of job '{job.JobId}': {HostFixture.PointCount} images, k = 10: mean trust", trust.Output);
        Assert.Contains("Least trusted images:", trust.Output);

        var missing = await Cli("trust", HostFixture.Points, "--map", "no-such-job");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: NOT_FOUND: job_id:", missing.Error.Trim());
        var usage = await Cli("suggest", HostFixture.Points);
        Assert.Equal(2, usage.ExitCode);
    }
}
