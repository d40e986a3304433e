using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// The parts of USearch's C API (libusearch_c, shipped by the Cloud.Unum.USearch package) that the managed wrapper
/// does not expose: searches into caller-owned buffers (the wrapper allocates two arrays per query), filtered
/// search, vector lookup by key and the buffer sizes behind saving. Every function reports failure through an
/// error pointer to a static message that must not be freed.
/// </summary>
internal static unsafe partial class UsearchNative
{
    private const string Library = "libusearch_c";

    /// <summary>usearch_metric_kind_t.</summary>
    public enum MetricKind : uint
    {
        Cosine = 1,
        InnerProduct = 2,
        L2Squared = 3,
    }

    /// <summary>usearch_scalar_kind_t: vectors are float32 in and out, and float32 or float16 in the graph.</summary>
    public const uint Float32 = 1;

    public const uint Float16 = 3;

    /// <summary>
    /// usearch_init_options_t. The trailing padding is zeros: should the native structure have grown fields after
    /// <c>multi</c>, they read as their defaults rather than as whatever follows on the stack.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InitOptions
    {
        public MetricKind Metric;
        public nint CustomMetric;
        public uint Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
        public Padding Reserved;
    }

    [InlineArray(64)]
    public struct Padding
    {
        private byte first;
    }

    [LibraryImport(Library)]
    public static partial nint usearch_init(ref InitOptions options, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_free(nint index, out nint error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void usearch_save(nint index, string path, out nint error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void usearch_load(nint index, string path, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_size(nint index, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_capacity(nint index, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_dimensions(nint index, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_memory_usage(nint index, out nint error);

    [LibraryImport(Library)]
    public static partial nint usearch_hardware_acceleration(nint index, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_reserve(nint index, nuint capacity, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_change_expansion_search(nint index, nuint expansion, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_change_threads_add(nint index, nuint threads, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_change_threads_search(nint index, nuint threads, out nint error);

    [LibraryImport(Library)]
    public static partial void usearch_add(nint index, ulong key, float* vector, uint kind, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_remove(nint index, ulong key, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_get(nint index, ulong key, nuint count, float* vector, uint kind, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_search(nint index, float* query, uint kind, nuint count, ulong* keys, float* distances, out nint error);

    [LibraryImport(Library)]
    public static partial nuint usearch_filtered_search(nint index, float* query, uint kind, nuint count,
        delegate* unmanaged[Cdecl]<ulong, void*, int> filter, void* state, ulong* keys, float* distances, out nint error);

    /// <summary>Throws with USearch's message when <paramref name="error"/> is set.</summary>
    public static void Check(nint error, string operation)
    {
        if (error != 0)
            throw new UsearchException($"USearch {operation} failed: {Marshal.PtrToStringUTF8(error)}");
    }
}
