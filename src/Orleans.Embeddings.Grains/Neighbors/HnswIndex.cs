using System.Runtime.InteropServices;
using static Orleans.Embeddings.Grains.Neighbors.UsearchNative;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// An HNSW graph over float32 vectors (USearch), keyed by 64-bit keys, searched into caller-owned buffers so that
/// a query allocates nothing. Adds and searches may run concurrently; growing the capacity, removing a key and
/// saving exclude every other call.
/// </summary>
/// <remarks>
/// USearch keeps a fixed number of per-thread search contexts and fails a call that finds none free, so every call
/// takes one of <see cref="Contexts"/> permits first; an exclusive operation takes them all.
/// The search breadth is not a setting of the index: USearch widens its beam to the number of results asked for
/// (max(expansion, wanted)), so the index's own expansion is 1 and a search asks for max(k, ef) results, which is
/// hnswlib's ef exactly. Concurrent searches with different ef therefore never disturb each other.
/// </remarks>
public sealed unsafe class HnswIndex : IDisposable
{
    /// <summary>hnswlib's defaults (M, ef_construction), which the benchmarks compare against.</summary>
    public const int DefaultConnectivity = 16;

    public const int DefaultExpansionAdd = 200;

    private readonly SemaphoreSlim permits;
    private nint handle;

    private HnswIndex(nint handle, HnswMetric metric, int dimensions, int connectivity, int expansionAdd, int contexts, HnswStorage storage)
    {
        this.handle = handle;
        Metric = metric;
        Storage = storage;
        Dimensions = dimensions;
        Connectivity = connectivity;
        ExpansionAdd = expansionAdd;
        Contexts = contexts;
        permits = new SemaphoreSlim(contexts, contexts);
        SetThreads();
    }

    public HnswMetric Metric { get; }

    /// <summary>How the graph stores its vectors; queries and results are float32 either way.</summary>
    public HnswStorage Storage { get; }

    public int Dimensions { get; }

    public int Connectivity { get; }

    public int ExpansionAdd { get; }

    /// <summary>Calls that may run at once; enough for every core plus the grain calls waiting on them.</summary>
    public int Contexts { get; }

    /// <summary>Vectors in the graph.</summary>
    public long Count
    {
        get
        {
            var size = usearch_size(Handle, out var error);
            Check(error, "size");
            return (long)size;
        }
    }

    public long Capacity
    {
        get
        {
            var capacity = usearch_capacity(Handle, out var error);
            Check(error, "capacity");
            return (long)capacity;
        }
    }

    /// <summary>Bytes the graph and its vectors hold, as USearch counts them.</summary>
    public long MemoryBytes
    {
        get
        {
            var bytes = usearch_memory_usage(Handle, out var error);
            Check(error, "memory_usage");
            return (long)bytes;
        }
    }

    /// <summary>The SIMD target USearch's distance kernels use on this CPU (e.g. "haswell", "skylake").</summary>
    public string Acceleration
    {
        get
        {
            var name = usearch_hardware_acceleration(Handle, out var error);
            return error == 0 && name != 0 ? Marshal.PtrToStringUTF8(name) ?? "" : "";
        }
    }

    private nint Handle => handle != 0 ? handle : throw new ObjectDisposedException(nameof(HnswIndex));

    public static HnswIndex Create(HnswMetric metric, int dimensions, int connectivity = DefaultConnectivity,
        int expansionAdd = DefaultExpansionAdd, int contexts = 0, HnswStorage storage = HnswStorage.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(connectivity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(expansionAdd, 1);
        var options = new InitOptions
        {
            Metric = Kind(metric),
            Quantization = storage == HnswStorage.Float16 ? Float16 : Float32,
            Dimensions = (nuint)dimensions,
            Connectivity = (nuint)connectivity,
            ExpansionAdd = (nuint)expansionAdd,
            ExpansionSearch = 1,
        };
        var handle = usearch_init(ref options, out var error);
        Check(error, "init");
        return new HnswIndex(handle, metric, dimensions, connectivity, expansionAdd, ContextsOrDefault(contexts), storage);
    }

    /// <summary>Loads a graph that <see cref="Save"/> wrote, checking it has the expected shape.</summary>
    public static HnswIndex Load(string path, HnswMetric metric, int dimensions, int connectivity, int expansionAdd, int contexts = 0,
        HnswStorage storage = HnswStorage.Float32)
    {
        var index = Create(metric, dimensions, connectivity, expansionAdd, contexts, storage);
        try
        {
            usearch_load(index.Handle, path, out var error);
            Check(error, "load");
            var loaded = (int)usearch_dimensions(index.Handle, out error);
            Check(error, "dimensions");
            if (loaded != dimensions)
                throw new InvalidDataException($"The saved index has {loaded} dimensions where {dimensions} were expected.");
            // Loading replaces the configuration, the search breadth included.
            usearch_change_expansion_search(index.Handle, 1, out error);
            Check(error, "change_expansion_search");
            index.SetThreads();
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Makes room for <paramref name="capacity"/> vectors in all (growing by at least half, so that growth is amortised).</summary>
    public void Reserve(long capacity)
    {
        if (capacity <= Capacity) return;
        Exclusive(() =>
        {
            var current = Capacity;
            if (capacity <= current) return;
            usearch_reserve(Handle, (nuint)Math.Max(capacity, current + current / 2), out var error);
            Check(error, "reserve");
            SetThreads();
        });
    }

    /// <summary>Adds a vector under a key that is not in the graph; capacity must have been reserved.</summary>
    public void Add(ulong key, ReadOnlySpan<float> vector)
    {
        CheckLength(vector.Length);
        permits.Wait();
        try
        {
            fixed (float* values = vector)
            {
                usearch_add(Handle, key, values, Float32, out var error);
                Check(error, "add");
            }
        }
        finally
        {
            permits.Release();
        }
    }

    /// <summary>Takes a key out of the graph; returns whether it was there.</summary>
    public bool Remove(ulong key)
    {
        var removed = false;
        Exclusive(() =>
        {
            removed = usearch_remove(Handle, key, out var error) > 0;
            Check(error, "remove");
        });
        return removed;
    }

    /// <summary>Copies the vector stored under a key; false when the key is not in the graph.</summary>
    public bool TryGet(ulong key, Span<float> vector)
    {
        CheckLength(vector.Length);
        permits.Wait();
        try
        {
            fixed (float* values = vector)
            {
                var found = usearch_get(Handle, key, 1, values, Float32, out var error);
                Check(error, "get");
                return found > 0;
            }
        }
        finally
        {
            permits.Release();
        }
    }

    /// <summary>
    /// The nearest keys to <paramref name="query"/>, nearest first, as many as <paramref name="keys"/> holds; the
    /// search keeps that many candidates (so its length is the ef). Distances are the metric's: squared Euclidean,
    /// or 1 - dot product. Returns how many were found.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<ulong> keys, Span<float> distances) => Search(query, keys, distances, null, null);

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, Span{ulong}, Span{float})"/>, keeping only keys the filter accepts.</summary>
    public int Search(ReadOnlySpan<float> query, Span<ulong> keys, Span<float> distances, KeyFilter filter) =>
        Search(query, keys, distances, filter.Accept, filter.State);

    private int Search(ReadOnlySpan<float> query, Span<ulong> keys, Span<float> distances,
        delegate* unmanaged[Cdecl]<ulong, void*, int> accept, void* state)
    {
        CheckLength(query.Length);
        if (distances.Length < keys.Length) throw new ArgumentException("The distances buffer is shorter than the keys buffer.", nameof(distances));
        if (keys.Length == 0) return 0;
        permits.Wait();
        try
        {
            fixed (float* values = query)
            fixed (ulong* found = keys)
            fixed (float* measured = distances)
            {
                nint error;
                var count = accept is null
                    ? usearch_search(Handle, values, Float32, (nuint)keys.Length, found, measured, out error)
                    : usearch_filtered_search(Handle, values, Float32, (nuint)keys.Length, accept, state, found, measured, out error);
                Check(error, "search");
                return (int)count;
            }
        }
        finally
        {
            permits.Release();
        }
    }

    /// <summary>Writes the graph with its vectors to a file (USearch's own format), with no add or search in between.</summary>
    public void Save(string path) => Exclusive(() =>
    {
        usearch_save(Handle, path, out var error);
        Check(error, "save");
    });

    /// <summary>Frees the native graph once the calls in flight have finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (handle == 0) return;
        Exclusive(() =>
        {
            var current = Interlocked.Exchange(ref handle, 0);
            if (current != 0) usearch_free(current, out _);
        });
    }

    private void Exclusive(Action action)
    {
        var taken = 0;
        try
        {
            for (; taken < Contexts; taken++) permits.Wait();
            action();
        }
        finally
        {
            if (taken > 0) permits.Release(taken);
        }
    }

    private void SetThreads()
    {
        usearch_change_threads_add(Handle, (nuint)Contexts, out var error);
        Check(error, "change_threads_add");
        usearch_change_threads_search(Handle, (nuint)Contexts, out error);
        Check(error, "change_threads_search");
    }

    private void CheckLength(int length)
    {
        if (length != Dimensions) throw new ArgumentException($"{length} values where the index has {Dimensions} dimensions.");
    }

    private static int ContextsOrDefault(int contexts) => contexts > 0 ? contexts : Math.Max(8, 4 * Environment.ProcessorCount);

    private static MetricKind Kind(HnswMetric metric) => metric switch
    {
        HnswMetric.L2Squared => MetricKind.L2Squared,
        HnswMetric.InnerProduct => MetricKind.InnerProduct,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
