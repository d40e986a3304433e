using Microsoft.Extensions.DependencyInjection;
using Orleans.Embeddings.Grains.Partitions;
using Orleans.Embeddings.Grains.Serialization;
using Orleans.Serialization;

namespace Orleans.Embeddings.Cluster.Tests.Serialization;

public sealed class PackedFloatsCodecTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(PackedFloats).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value)) ?? throw new InvalidDataException("null came back");

    private static float[] Values(int count) => [.. Enumerable.Range(0, count).Select(i => i * 0.25f - 7)];

    [Fact]
    public void Floats_cross_the_wire_as_four_bytes_each_and_arrive_unchanged()
    {
        var sent = new RepulsionSlice(PackedFloats.From(Values(100_000)), [1.5, 2.5]);

        var bytes = Serializer.SerializeToArray(sent);
        var received = Serializer.Deserialize<RepulsionSlice>(bytes)!;

        Assert.InRange(bytes.Length, 400_000, 400_100);
        Assert.Equal(Values(100_000), received.Forces.ToArray());
        Assert.Equal(400_000, received.Forces.ByteCount);
        Assert.Equal([1.5, 2.5], received.ZChunks);
    }

    [Fact]
    public void A_received_block_goes_back_to_the_pool_once_and_cannot_be_read_after()
    {
        var received = RoundTrip(PackedFloats.From(Values(1_000)));
        var copy = new float[1_000];
        received.CopyTo(copy);

        received.Release();
        received.Release();

        Assert.Equal(Values(1_000), copy);
        Assert.Throws<ObjectDisposedException>(() => received.ToArray());
    }

    [Fact]
    public void A_block_made_here_stays_readable_after_release()
    {
        var local = PackedFloats.From(Values(10));

        local.Release();

        Assert.Equal(Values(10), local.ToArray());
    }

    [Fact]
    public void Blocks_that_reuse_a_pooled_buffer_carry_only_their_own_floats()
    {
        RoundTrip(PackedFloats.From(Values(5_000))).Release();

        var smaller = RoundTrip(PackedFloats.From([3f, 4f, 5f]));

        Assert.Equal([3f, 4f, 5f], smaller.ToArray());
    }
}
