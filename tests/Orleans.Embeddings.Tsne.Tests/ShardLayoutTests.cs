namespace Orleans.Embeddings.Tsne.Tests;

public sealed class ShardLayoutTests
{
    [Theory]
    [InlineData(10_000, 7)]
    [InlineData(2_000, 3)]
    [InlineData(100, 4)]
    public void Shards_cover_every_row_once_on_chunk_boundaries(int count, int shards)
    {
        var layout = ShardLayout.Split(count, shards);
        Assert.Equal(count, layout.PointCount);
        var next = 0;
        for (var s = 0; s < layout.ShardCount; s++)
        {
            Assert.Equal(next, layout.Start(s));
            Assert.Equal(0, layout.Start(s) % ShardLayout.ChunkRows);
            Assert.True(layout.Count(s) > 0);
            Assert.Equal(s, layout.OwnerOf(layout.Start(s)));
            Assert.Equal(s, layout.OwnerOf(layout.Start(s) + layout.Count(s) - 1));
            next += layout.Count(s);
        }
        Assert.Equal(count, next);
    }
}
