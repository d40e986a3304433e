using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Saves a partition's snapshot as a sequence of chunk records in the grain storage every other state lives in
/// (SQLite or Redis), so that a snapshot of any size is written and read in pieces of at most
/// <see cref="ChunkBytes"/>. Two slots alternate: a save fills the slot not in use and only then points the
/// partition's state at it, so a save that fails part-way leaves the previous snapshot whole.
/// </summary>
public sealed class SnapshotStore(IGrainStorage storage, string partitionKey)
{
    public const int ChunkBytes = 16 * 1024 * 1024;

    private const string StateName = "index-chunk";

    /// <summary>Writes <paramref name="source"/> from its position to its end into a slot; returns the chunk count.</summary>
    public async Task<int> Write(int slot, Stream source, List<string?> etags)
    {
        var buffer = new byte[ChunkBytes];
        var chunk = 0;
        while (true)
        {
            var length = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length == 0) break;
            var state = new ChunkState(new IndexChunk { Bytes = length == buffer.Length ? buffer : buffer[..length] }, At(etags, chunk));
            try
            {
                await storage.WriteStateAsync(StateName, Id(slot, chunk), state);
            }
            catch (InconsistentStateException)
            {
                // A save that failed after writing this chunk left its ETag unrecorded: take the stored one.
                var stored = new ChunkState(new IndexChunk(), null);
                await storage.ReadStateAsync(StateName, Id(slot, chunk), stored);
                state.ETag = stored.ETag;
                await storage.WriteStateAsync(StateName, Id(slot, chunk), state);
            }
            Set(etags, chunk, state.ETag);
            chunk++;
            // The provider has serialised the chunk by the time the write completes, so the buffer is free again.
            if (length < buffer.Length) break;
        }
        await Clear(slot, etags, from: chunk);
        return chunk;
    }

    /// <summary>Copies chunks [0, chunks) of a slot into <paramref name="destination"/>.</summary>
    public async Task Read(int slot, int chunks, Stream destination)
    {
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            var state = new ChunkState(new IndexChunk(), null);
            await storage.ReadStateAsync(StateName, Id(slot, chunk), state);
            if (!state.RecordExists) throw new InvalidDataException($"Chunk {chunk} of the snapshot of index partition {partitionKey} is missing.");
            await destination.WriteAsync(state.Bytes);
        }
    }

    /// <summary>Deletes the slot's chunks from <paramref name="from"/> on.</summary>
    public async Task Clear(int slot, List<string?> etags, int from = 0)
    {
        for (var chunk = from; chunk < etags.Count; chunk++)
        {
            if (etags[chunk] is null) continue;
            var state = new ChunkState(new IndexChunk(), etags[chunk]);
            try
            {
                await storage.ClearStateAsync(StateName, Id(slot, chunk), state);
            }
            catch (InconsistentStateException)
            {
                var stored = new ChunkState(new IndexChunk(), null);
                await storage.ReadStateAsync(StateName, Id(slot, chunk), stored);
                if (stored.RecordExists) await storage.ClearStateAsync(StateName, Id(slot, chunk), stored);
            }
        }
        if (from < etags.Count) etags.RemoveRange(from, etags.Count - from);
    }

    private GrainId Id(int slot, int chunk) => GrainId.Create("embeddings-index-chunk", $"{partitionKey}/{slot}/{chunk}");

    private static string? At(List<string?> etags, int chunk) => chunk < etags.Count ? etags[chunk] : null;

    private static void Set(List<string?> etags, int chunk, string? etag)
    {
        while (etags.Count <= chunk) etags.Add(null);
        etags[chunk] = etag;
    }

    /// <summary>A chunk's storage record; Orleans' state type allows a null state, which a read of a missing record leaves.</summary>
    private sealed class ChunkState(IndexChunk state, string? etag) : IGrainState<IndexChunk>
    {
        public IndexChunk? State { get; set; } = state;

        public string? ETag { get; set; } = etag;

        public bool RecordExists { get; set; }

        public byte[] Bytes => State?.Bytes ?? [];
    }
}
