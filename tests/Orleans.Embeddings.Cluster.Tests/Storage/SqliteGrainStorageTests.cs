using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Embeddings.Cluster.Tests.Storage;

public sealed class SqliteGrainStorageTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private const int Dimensions = 1024;

    [Fact]
    public async Task Database_is_in_wal_mode_in_a_directory_the_provider_created()
    {
        await fixture.Grains.GetGrain<IStorageTestGrain>(Guid.NewGuid()).Save(Vector(4, seed: 0), "wal");

        Assert.True(File.Exists(fixture.Database.DatabasePath));
        Assert.Equal("wal", fixture.Database.JournalMode());
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var grain = fixture.Grains.GetGrain<IStorageTestGrain>(Guid.NewGuid());
        var vector = Vector(Dimensions, seed: 1);
        await grain.Save(vector, "survivor");
        var firstActivation = await grain.GetActivationId();

        await grain.Deactivate();

        Assert.NotEqual(firstActivation, await grain.GetActivationId());
        Assert.True(await grain.RecordExists());
        var state = await grain.Load();
        Assert.Equal("survivor", state.Label);
        Assert.Equal(vector, state.Vector);
    }

    [Fact]
    public async Task State_survives_a_cluster_restart_on_the_same_file()
    {
        using var database = new SqliteTestDatabase();
        var serviceId = $"restart-{Guid.NewGuid():N}";
        var keys = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();

        var first = await database.StartClusterAsync(serviceId);
        try
        {
            await Task.WhenAll(keys.Select((key, i) => first.GrainFactory.GetGrain<IStorageTestGrain>(key).Save(Vector(Dimensions, i), $"grain {i}")));
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }
        Assert.Equal(keys.Length, database.RowCount());

        var second = await database.StartClusterAsync(serviceId);
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var grain = second.GrainFactory.GetGrain<IStorageTestGrain>(keys[i]);
                Assert.True(await grain.RecordExists());
                var state = await grain.Load();
                Assert.Equal($"grain {i}", state.Label);
                Assert.Equal(Vector(Dimensions, i), state.Vector);
            }
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stale_etag_is_rejected_and_leaves_the_stored_state_alone()
    {
        var storage = fixture.Storage;
        var grainId = GrainId.Create("sqlite-storage-test", Guid.NewGuid().ToString("N"));
        var written = new StorageTestState { Vector = Vector(8, seed: 2), Label = "v1" };
        var current = new GrainState<StorageTestState>(written);

        await storage.WriteStateAsync(StorageTestGrain.StateName, grainId, current);
        Assert.True(current.RecordExists);
        Assert.False(string.IsNullOrEmpty(current.ETag));

        var stale = new GrainState<StorageTestState>(new StorageTestState { Label = "stale" }, current.ETag);
        written.Label = "v2";
        await storage.WriteStateAsync(StorageTestGrain.StateName, grainId, current);
        Assert.NotEqual(stale.ETag, current.ETag);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StorageTestGrain.StateName, grainId, stale));
        Assert.Equal(current.ETag, conflict.StoredEtag);
        Assert.Equal(stale.ETag, conflict.CurrentEtag);

        // No ETag claims there is no row yet: inserting over an existing one is a conflict too.
        var blind = new GrainState<StorageTestState>(new StorageTestState { Label = "blind" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StorageTestGrain.StateName, grainId, blind));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StorageTestGrain.StateName, grainId, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StorageTestGrain.StateName, grainId, blind));

        var read = new GrainState<StorageTestState>(new StorageTestState());
        await storage.ReadStateAsync(StorageTestGrain.StateName, grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal(current.ETag, read.ETag);
        Assert.NotNull(read.State);
        Assert.Equal("v2", read.State.Label);
        Assert.Equal(Vector(8, seed: 2), read.State.Vector);
    }

    [Fact]
    public async Task Reading_a_missing_state_reports_no_record()
    {
        var read = new GrainState<StorageTestState>(new StorageTestState { Label = "untouched" }, "some-etag") { RecordExists = true };

        await fixture.Storage.ReadStateAsync(StorageTestGrain.StateName, GrainId.Create("sqlite-storage-test", "missing"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    [Fact]
    public async Task Two_thousand_grains_write_concurrently()
    {
        const int count = 2000;
        var grains = Enumerable.Range(0, count).Select(_ => fixture.Grains.GetGrain<IStorageTestGrain>(Guid.NewGuid())).ToArray();

        // Two writes per grain, all grains at once: an insert, then an update against the ETag the insert returned.
        await Task.WhenAll(grains.Select(async (grain, i) =>
        {
            await grain.Save(Vector(Dimensions, i), $"first {i}");
            await grain.Save(Vector(Dimensions, i + count), $"second {i}");
        }));

        var stored = fixture.Database.StoredGrainIds();
        Assert.All(grains, grain => Assert.Contains(grain.GetGrainId().ToString(), stored));

        var storage = fixture.Storage;
        await Task.WhenAll(grains.Select(async (grain, i) =>
        {
            var read = new GrainState<StorageTestState>(new StorageTestState());
            await storage.ReadStateAsync(StorageTestGrain.StateName, grain.GetGrainId(), read);
            Assert.True(read.RecordExists);
            Assert.NotNull(read.State);
            Assert.Equal($"second {i}", read.State.Label);
            Assert.Equal(Vector(Dimensions, i + count), read.State.Vector);
        }));
    }

    [Fact]
    public async Task A_1024_float_state_is_stored_in_binary_in_under_4_5_kilobytes()
    {
        var grain = fixture.Grains.GetGrain<IStorageTestGrain>(Guid.NewGuid());
        var vector = Vector(Dimensions, seed: 3);
        await grain.Save(vector, "size");

        var length = fixture.Database.PayloadLength(grain.GetGrainId());

        Assert.NotNull(length);
        // Random floats barely compress (their floor is about 3.8 KB), and JSON text would take over 10 KB.
        Assert.InRange(length.Value, 3500, 4608);
        Assert.Equal("deflate", fixture.Database.Compression(grain.GetGrainId()));
        await grain.Deactivate();
        Assert.Equal(vector, (await grain.Load()).Vector);
    }

    [Fact]
    public async Task Clear_removes_the_state()
    {
        var grain = fixture.Grains.GetGrain<IStorageTestGrain>(Guid.NewGuid());
        await grain.Save(Vector(Dimensions, seed: 4), "doomed");
        Assert.NotNull(fixture.Database.PayloadLength(grain.GetGrainId()));

        await grain.Clear();

        Assert.Null(fixture.Database.PayloadLength(grain.GetGrainId()));
        Assert.False(await grain.RecordExists());
        await grain.Deactivate();
        Assert.False(await grain.RecordExists());
        var state = await grain.Load();
        Assert.Null(state.Vector);
        Assert.Equal("", state.Label);

        // A cleared state can be written again from scratch; this one is too small to be worth compressing.
        await grain.Save(Vector(4, seed: 5), "reborn");
        Assert.Equal("none", fixture.Database.Compression(grain.GetGrainId()));
        await grain.Deactivate();
        var reborn = await grain.Load();
        Assert.Equal("reborn", reborn.Label);
        Assert.Equal(Vector(4, seed: 5), reborn.Vector);
    }

    /// <summary>A deterministic vector whose floats have full mantissas, so nothing about them is compressible.</summary>
    private static float[] Vector(int dimensions, int seed)
    {
        var random = new Random(seed);
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
        return vector;
    }
}
