using Orleans.Embeddings.Grains.Neighbors;

namespace Orleans.Embeddings.Cluster.Tests.Search;

/// <summary>The k-d tree over a map, against brute force, in one, two and three dimensions.</summary>
public sealed class MapIndexTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_tree_finds_what_a_scan_finds_with_filters_and_exclusions(int dimensions)
    {
        var random = new Random(dimensions);
        const int count = 5_000;
        // Rounded coordinates, so that there are ties (broken by the lower row).
        var points = Enumerable.Range(0, count * dimensions).Select(_ => MathF.Round((float)random.NextDouble() * 100, 1)).ToArray();
        var index = new MapIndex(points, dimensions);
        var allowed = new ulong[(count + 63) / 64];
        for (var row = 0; row < count; row += 3) allowed[row >> 6] |= 1UL << (row & 63);

        for (var q = 0; q < 200; q++)
        {
            var query = points.AsSpan(q * 7 % count * dimensions, dimensions).ToArray();
            var exclude = q % 2 == 0 ? q * 7 % count : -1;
            var filter = q % 3 == 0;
            var found = index.Nearest(query, 12, filter ? allowed : null, exclude);
            var expected = Enumerable.Range(0, count)
                .Where(r => r != exclude && (!filter || r % 3 == 0))
                .Select(r => (Row: r, Distance: Distance(points.AsSpan(r * dimensions, dimensions), query)))
                .OrderBy(p => p.Distance).ThenBy(p => p.Row).Take(12).ToArray();
            Assert.Equal(expected.Select(e => e.Row), found.Select(f => f.Row));
            Assert.Equal(expected.Select(e => e.Distance), found.Select(f => f.Distance));
        }
    }

    /// <summary>In float, summed in coordinate order, as the tree sums.</summary>
    private static float Distance(ReadOnlySpan<float> point, float[] query)
    {
        var squared = 0f;
        for (var d = 0; d < point.Length; d++) squared += (point[d] - query[d]) * (point[d] - query[d]);
        return MathF.Sqrt(squared);
    }

    [Fact]
    public void A_map_smaller_than_k_returns_every_other_point()
    {
        var index = new MapIndex([0f, 0f, 1f, 0f, 0f, 2f], 2);
        var found = index.Nearest([0f, 0f], 10, excluded: 0);
        Assert.Equal([1, 2], found.Select(f => f.Row));
        Assert.Equal([1f, 2f], found.Select(f => f.Distance));
    }
}
