using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;

namespace Orleans.Embeddings.Tsne.Tests.Affinities;

public sealed class AffinityTests
{
    private static readonly ParallelOptions Parallel = new() { MaxDegreeOfParallelism = 2 };

    private static NeighborGraph Graph(float[] data, int dimensions, int k)
    {
        var top = new TopKAccumulator(0, data.Length / dimensions, k);
        ExactNeighborSearch.Offer(top, data, data, 0, dimensions, Parallel);
        return top.ToGraph();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(30)]
    public void Calibrated_rows_reach_the_target_perplexity(double perplexity)
    {
        const int dimensions = 10;
        var (data, _) = TestData.Blobs(600, dimensions, 4, 3);
        var graph = Graph(data, dimensions, (int)(3 * perplexity));
        var p = PerplexityCalibration.Calibrate(graph, perplexity, Parallel);

        for (var row = 0; row < graph.Count; row++)
        {
            var probabilities = p.AsSpan(row * graph.K, graph.K).ToArray();
            Assert.Equal(1, probabilities.Sum(v => (double)v), 1e-5);
            var entropy = -probabilities.Where(v => v > 0).Sum(v => v * Math.Log(v));
            Assert.Equal(perplexity, Math.Exp(entropy), perplexity * 1e-3);
        }
    }

    [Fact]
    public void A_row_of_duplicates_is_uniform_and_finite()
    {
        var distances = new float[9];
        var p = new float[9];
        PerplexityCalibration.CalibrateRow(distances, Math.Log(3), p, new float[18]);
        Assert.All(p, v => Assert.Equal(1.0 / 9, v, 1e-6));
    }

    [Fact]
    public void Joint_probabilities_are_symmetric_and_sum_to_one_across_shards()
    {
        const int count = 900, dimensions = 6, k = 15;
        var (data, _) = TestData.Blobs(count, dimensions, 3, 3);
        var layout = ShardLayout.Split(count, 3);
        var graph = Graph(data, dimensions, k);
        var conditional = PerplexityCalibration.Calibrate(graph, 5, Parallel);

        // Cut the one graph into the three shards' graphs and exchange as the shards would.
        NeighborGraph ShardGraph(int s) => new(layout.Start(s), layout.Count(s), k,
            graph.Indices[(layout.Start(s) * k)..((layout.Start(s) + layout.Count(s)) * k)], graph.SquaredDistances[(layout.Start(s) * k)..((layout.Start(s) + layout.Count(s)) * k)]);
        float[] ShardConditional(int s) => conditional[(layout.Start(s) * k)..((layout.Start(s) + layout.Count(s)) * k)];
        var outgoing = Enumerable.Range(0, layout.ShardCount).Select(s => Symmetrization.Outgoing(ShardGraph(s), ShardConditional(s), layout)).ToArray();
        var shards = Enumerable.Range(0, layout.ShardCount)
            .Select(t => Symmetrization.Assemble(ShardGraph(t), ShardConditional(t), count, outgoing.Select(o => o[t]).ToArray())).ToArray();

        var entries = new Dictionary<(int, int), float>();
        foreach (var shard in shards)
            for (var r = 0; r < shard.Count; r++)
                for (var at = shard.RowStarts[r]; at < shard.RowStarts[r + 1]; at++)
                    entries[(shard.Start + r, shard.Columns[at])] = shard.Values[at];

        Assert.Equal(1, entries.Values.Sum(v => (double)v), 1e-4);
        foreach (var ((i, j), value) in entries)
        {
            Assert.NotEqual(i, j);
            Assert.True(entries.TryGetValue((j, i), out var mirror), $"({j}, {i}) missing");
            Assert.Equal(value, mirror);
        }
        var whole = Symmetrization.Assemble(graph, conditional, count, [Symmetrization.Outgoing(graph, conditional, ShardLayout.Split(count, 1))[0]]);
        Assert.Equal(whole.Values, shards.SelectMany(s => s.Values).ToArray());
        Assert.Equal(whole.Columns, shards.SelectMany(s => s.Columns).ToArray());
    }
}
