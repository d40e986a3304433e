using System.Runtime.InteropServices;
using Orleans.Embeddings.Cluster.Tests.Jobs;
using Orleans.Embeddings.Grains.Collections;

namespace Orleans.Embeddings.Cluster.Tests.Storage;

/// <summary>A membership shard's embeddings stored as one block: read instead of the image grains, dropped when members change.</summary>
public sealed class StoredBlockTests
{
    private const int Dimensions = 6;

    private static float[] Rows(int count, float offset) =>
        [.. Enumerable.Range(0, count * Dimensions).Select(i => offset + i / Dimensions + i % Dimensions / 10f)];

    [Fact]
    public async Task Jobs_read_the_stored_block_until_the_members_change()
    {
        await using var cluster = await EmbeddingsCluster.Start(silos: 1);
        var data = Rows(300, 0);
        var ids = await cluster.AddCollection("stored", data, Dimensions);
        var shard = cluster.Grains.GetGrain<ICollectionShardGrain>("stored/0");
        var stored = cluster.Grains.GetGrain<IEmbeddingBlockGrain>("stored/0");
        Assert.Null(await stored.Load());

        var summary = await shard.EnsureEmbedded();
        Assert.Equal((300, 300, Dimensions), (summary.Count, summary.Embedded, summary.Dimensions));
        var block = await stored.Load();
        Assert.NotNull(block);
        Assert.Equal(ids, block.Ids);
        Assert.Equal(data, block.Rows.ToArray());

        // What the shard serves once out of memory is the stored block, not the image grains: a marked copy shows it.
        var marked = block with { Labels = [.. block.Labels.Select(_ => "from-the-block")] };
        await stored.Save(marked);
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.All((await shard.GetEmbeddings()).Labels, label => Assert.Equal("from-the-block", label));

        // New members drop the block; the next read gathers all of them and stores them again.
        var more = Rows(10, 1000);
        var added = Enumerable.Range(0, 10).Select(i => new ImageDescription($"more-{i}",
            new ImageSource(ImageSourceKind.Vector, Bytes: MemoryMarshal.AsBytes(more.AsSpan(i * Dimensions, Dimensions)).ToArray()),
            ["more"], new Dictionary<string, string>())).ToArray();
        await cluster.Grains.GetGrain<ICollectionGrain>("stored").Ingest(added);
        Assert.Null(await stored.Load());
        var grown = await shard.GetEmbeddings();
        Assert.Equal([.. data, .. more], grown.Rows.ToArray());
        Assert.Equal(310, (await stored.Load())?.Ids.Length);

        // An updated member (a new vector under the same id) drops it too.
        var moved = Enumerable.Repeat(-5f, Dimensions).ToArray();
        await cluster.Grains.GetGrain<ICollectionGrain>("stored").Ingest([new ImageDescription(ids[7],
            new ImageSource(ImageSourceKind.Vector, Bytes: MemoryMarshal.AsBytes(moved.AsSpan()).ToArray()), ["moved"], new Dictionary<string, string>())]);
        Assert.Null(await stored.Load());
        Assert.Equal(moved, (await shard.GetEmbeddings()).Rows.Slice(7 * Dimensions, Dimensions).ToArray());
        Assert.Equal("moved", (await stored.Load())?.Labels[7]);
    }
}
