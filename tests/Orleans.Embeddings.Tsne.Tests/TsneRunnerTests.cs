namespace Orleans.Embeddings.Tsne.Tests;

public sealed class TsneRunnerTests
{
    private static readonly TsneOptions Short = new() { EarlyExaggerationIterations = 100, Iterations = 150, Perplexity = 20 };

    [Theory]
    [InlineData(RepulsionMethod.BarnesHut, 2)]
    [InlineData(RepulsionMethod.Fft, 2)]
    [InlineData(RepulsionMethod.Fft, 1)]
    [InlineData(RepulsionMethod.BarnesHut, 3)]
    public void Separated_blobs_come_out_as_separated_clusters(RepulsionMethod repulsion, int dims)
    {
        var (data, labels) = TestData.Blobs(600, 20, 5, 10);
        var result = TsneRunner.Run(data, 20, Short with { Repulsion = repulsion, OutputDimensions = dims });

        Assert.Equal(600 * dims, result.Map.Length);
        Assert.All(result.Map, v => Assert.True(float.IsFinite(v)));
        Assert.True(double.IsFinite(result.KlDivergence) && result.KlDivergence > 0, $"KL {result.KlDivergence}");
        var purity = TestData.NeighborPurity(result.Map, dims, labels);
        Assert.True(purity >= 0.97, $"purity {purity:F3}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_map_for_1_3_and_7_shards_and_any_thread_count()
    {
        var (data, _) = TestData.Blobs(2000, 12, 6, 6);
        var options = Short with { Neighbors = NeighborMethod.Exact, Iterations = 50, EarlyExaggerationIterations = 50 };
        Assert.Equal(7, ShardLayout.Split(2000, 7).ShardCount);

        var reference = TsneRunner.Run(data, 12, options with { MaxThreads = 2 }, shards: 1);
        foreach (var (shards, threads) in new[] { (3, 2), (7, 2), (1, 1), (7, 1) })
        {
            var other = TsneRunner.Run(data, 12, options with { MaxThreads = threads }, shards);
            Assert.Equal(reference.Map, other.Map);
        }
    }

    [Fact]
    public void The_FFT_map_is_the_same_for_any_shard_and_thread_count()
    {
        var (data, _) = TestData.Blobs(1200, 8, 4, 6);
        var options = Short with { Repulsion = RepulsionMethod.Fft, Iterations = 30, EarlyExaggerationIterations = 30 };
        var reference = TsneRunner.Run(data, 8, options with { MaxThreads = 2 }, shards: 1);
        var other = TsneRunner.Run(data, 8, options with { MaxThreads = 1 }, shards: 3);
        Assert.Equal(reference.Map, other.Map);
    }

    [Fact]
    public void Duplicate_points_do_not_produce_NaN()
    {
        var (blobs, _) = TestData.Blobs(200, 4, 2, 5);
        var data = new float[400 * 4];
        blobs.CopyTo(data, 0);
        // The second half: one point repeated 200 times.
        for (var i = 200; i < 400; i++) Array.Copy(blobs, 0, data, i * 4, 4);
        var result = TsneRunner.Run(data, 4, Short with { Perplexity = 10 });
        Assert.All(result.Map, v => Assert.True(float.IsFinite(v)));
        Assert.True(double.IsFinite(result.KlDivergence));
    }

    [Fact]
    public void Cosine_metric_random_init_and_approximate_neighbours_run()
    {
        var (data, labels) = TestData.Blobs(500, 16, 4, 10);
        for (var i = 0; i < data.Length; i++) data[i] += 30; // keep rows away from the origin
        var result = TsneRunner.Run(data, 16, Short with
        {
            Metric = DistanceMetric.Cosine,
            Initialization = MapInitialization.Random,
            Neighbors = NeighborMethod.Approximate,
        });
        Assert.True(TestData.NeighborPurity(result.Map, 2, labels) >= 0.9);
    }

    [Fact]
    public void PCA_reduction_keeps_the_clusters_and_reports_every_phase()
    {
        var (data, labels) = TestData.Blobs(500, 80, 4, 10);
        var progress = new List<TsneProgress>();
        var result = TsneRunner.Run(data, 80, Short with { PcaDimensions = 10 }, progress: new CollectingProgress(progress));
        Assert.True(TestData.NeighborPurity(result.Map, 2, labels) >= 0.97);
        Assert.Equal(
            new[] { "input", "pca", "neighbors", "affinities", "initialization", "optimization" },
            result.PhaseSeconds.Keys);
        Assert.Contains(progress, p => p.Phase == "early-exaggeration" && p.KlDivergence.HasValue);
        Assert.Equal(result.KlDivergence, progress[^1].KlDivergence);
    }

    [Fact]
    public void A_reduction_wider_than_the_candidate_search_searches_its_leading_components()
    {
        // 120 dimensions reduced to 60 principal components; candidates are searched in the first 50 of those.
        var (data, labels) = TestData.Blobs(700, 120, 4, 10);
        var options = Short with { PcaDimensions = 60, Neighbors = NeighborMethod.Approximate };
        Assert.Equal(50, Tsne.Neighbors.NeighborPlan.For(options, 700, 120).SearchDimensions);
        var result = TsneRunner.Run(data, 120, options, shards: 2);
        Assert.True(TestData.NeighborPurity(result.Map, 2, labels) >= 0.97);
    }

    [Fact]
    public void A_supplied_initial_map_is_where_the_optimisation_starts()
    {
        var (data, _) = TestData.Blobs(300, 5, 3, 5);
        var start = TestData.Uniform(600, 1e-3, seed: 4);
        var result = TsneRunner.Run(data, 5, Short with
        {
            Initialization = MapInitialization.Supplied,
            InitialMap = start,
            EarlyExaggerationIterations = 0,
            Iterations = 0,
        });
        Assert.Equal(start, result.Map);
    }

    private sealed class CollectingProgress(List<TsneProgress> sink) : IProgress<TsneProgress>
    {
        public void Report(TsneProgress value) => sink.Add(value);
    }
}
