using System.Collections.Concurrent;
using System.Numerics;
using System.Numerics.Tensors;
using System.Text;

namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// The searchable rows of one index partition: an HNSW graph over their vectors, keyed by the row's place in the
/// partition, with each row's id and labels. Rows are appended in collection order; a row whose image has no
/// embedding keeps its place but is not in the graph. Searches run while rows are appended: a row's id and labels
/// are in place before its vector enters the graph, and the row count is published last.
/// </summary>
/// <remarks>
/// A search asks the graph for max(k, ef) candidates (one more when the query's own image may be among them).
/// A label filter (or a limit on the rows that qualify) becomes a bitset that the graph consults for each
/// candidate; when few rows qualify, a graph walk would wander through rows it must reject, so those rows are
/// scanned exactly instead, as are the rows of a small partition, and all rows when a search asks for exact results.
/// </remarks>
public sealed class IndexPartition : IDisposable
{
    /// <summary>A filtered search over at most this many qualifying rows scans them instead of walking the graph.</summary>
    public const int ScanRows = 4096;

    /// <summary>
    /// Any search over at most this many rows scans them: a walk of so small a graph visits most of it anyway, and a
    /// scan is exact whatever the graph's luck.
    /// </summary>
    public const int ScanSmallRows = 1024;

    /// <summary>Or when at most one row in this many qualifies.</summary>
    private const int ScanFraction = 50;

    /// <summary>How much wider a filtered walk searches, at most, to make up for the rows the filter rejects.</summary>
    private const int MaxFilterWidening = 8;

    /// <summary>Rows whose vectors an exact scan holds at once.</summary>
    private const int ScanBlockRows = 256;

    private const int Magic = 0x58494F45; // "EOIX"
    private const int FormatVersion = 1;

    [ThreadStatic] private static ulong[]? keyBuffer;
    [ThreadStatic] private static float[]? distanceBuffer;

    private readonly HnswIndex graph;
    private readonly LabelSets labelSets = new();
    private readonly ConcurrentDictionary<string, int> keys = new(StringComparer.Ordinal);
    private string[] ids = [];
    private string[][] labels = [];
    private int count;

    private IndexPartition(HnswIndex graph, NeighborMetric metric)
    {
        this.graph = graph;
        Metric = metric;
    }

    public NeighborMetric Metric { get; }

    public int Dimensions => graph.Dimensions;

    /// <summary>Rows held, with or without a vector.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Rows in the graph.</summary>
    public long Vectors => graph.Count;

    public long MemoryBytes => graph.MemoryBytes;

    public HnswIndex Graph => graph;

    public static IndexPartition Create(NeighborMetric metric, int dimensions, int connectivity = HnswIndex.DefaultConnectivity,
        int expansionAdd = HnswIndex.DefaultExpansionAdd, HnswStorage storage = HnswStorage.Float32) =>
        new(HnswIndex.Create(GraphMetric(metric), dimensions, connectivity, expansionAdd, storage: storage), metric);

    /// <summary>A partition saved by <see cref="SaveRows"/> and <see cref="HnswIndex.Save"/>.</summary>
    public static IndexPartition Load(Stream rows, string graphPath, NeighborMetric metric, int dimensions, int connectivity, int expansionAdd,
        HnswStorage storage = HnswStorage.Float32)
    {
        using var reader = new BinaryReader(rows, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion)
            throw new InvalidDataException("The saved index partition is not in a format this version reads.");
        var savedMetric = (NeighborMetric)reader.ReadInt32();
        var savedDimensions = reader.ReadInt32();
        if (savedMetric != metric || savedDimensions != dimensions)
            throw new InvalidDataException($"The saved index partition is {savedMetric} in {savedDimensions} dimensions, not {metric} in {dimensions}.");
        var rowCount = reader.ReadInt32();
        var partition = new IndexPartition(HnswIndex.Load(graphPath, GraphMetric(metric), dimensions, connectivity, expansionAdd, storage: storage), metric);
        try
        {
            partition.Grow(rowCount);
            for (var key = 0; key < rowCount; key++)
            {
                var id = reader.ReadString();
                var rowLabels = new string[reader.Read7BitEncodedInt()];
                for (var l = 0; l < rowLabels.Length; l++) rowLabels[l] = reader.ReadString();
                partition.Place(key, id, rowLabels);
            }
            partition.count = rowCount;
            return partition;
        }
        catch
        {
            partition.Dispose();
            throw;
        }
    }

    /// <summary>Writes every row's id and labels, in key order (the graph is saved apart, by USearch).</summary>
    public void SaveRows(Stream destination)
    {
        using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        var rowCount = Count;
        var (rowIds, rowLabels) = (ids, labels);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((int)Metric);
        writer.Write(Dimensions);
        writer.Write(rowCount);
        for (var key = 0; key < rowCount; key++)
        {
            writer.Write(rowIds[key]);
            writer.Write7BitEncodedInt(rowLabels[key].Length);
            foreach (var label in rowLabels[key]) writer.Write(label);
        }
    }

    /// <summary>The key of an image of this partition, or -1.</summary>
    public int KeyOf(string id) => keys.TryGetValue(id, out var key) ? key : -1;

    public string IdOf(int key) => ids[key];

    public string[] LabelsOf(int key) => labels[key];

    /// <summary>
    /// Appends rows after the current ones (keys Count, Count + 1, ...), inserting their vectors with up to
    /// <paramref name="threads"/> threads. A row with no vector keeps its key but is not searchable.
    /// </summary>
    public void Append(IReadOnlyList<PartitionRow> rows, int threads)
    {
        var withVectors = 0;
        foreach (var row in rows)
        {
            if (row.Vector is not { } vector) continue;
            CheckVector(row.Id, vector);
            withVectors++;
        }
        var first = Count;
        Grow(first + rows.Count);
        for (var i = 0; i < rows.Count; i++) Place(first + i, rows[i].Id, rows[i].Labels);
        graph.Reserve(graph.Count + withVectors);
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, () => new float[Dimensions], (i, _, scratch) =>
        {
            if (rows[i].Vector is { } vector) graph.Add((ulong)(first + i), Prepare(vector, scratch));
            return scratch;
        }, _ => { });
        Volatile.Write(ref count, first + rows.Count);
    }

    /// <summary>Gives a row new labels and a new vector (none: the row leaves the graph).</summary>
    public void Replace(int key, string[] rowLabels, float[]? vector)
    {
        if (key < 0 || key >= Count) throw new ArgumentOutOfRangeException(nameof(key), key, $"The partition has {Count} rows.");
        if (vector is not null) CheckVector(ids[key], vector);
        labelSets.Remove(key, labels[key]);
        labels[key] = rowLabels;
        labelSets.Add(key, rowLabels);
        graph.Remove((ulong)key);
        if (vector is null) return;
        graph.Reserve(graph.Count + 1);
        graph.Add((ulong)key, Prepare(vector, new float[Dimensions]));
    }

    /// <summary>The stored vector of a row (scaled to unit length for the cosine metric), or false if it has none.</summary>
    public bool TryGetVector(int key, Span<float> destination) => graph.TryGet((ulong)key, destination);

    /// <summary>
    /// The k nearest rows to each query (row-major, <see cref="Dimensions"/> values each; scaled in place to unit
    /// length for the cosine metric, and rounded in place to float16 for a float16 graph), nearest first, leaving out the row of <paramref name="exclude"/>[q]. Only
    /// keys below <paramref name="limit"/> qualify.
    /// </summary>
    public NearestMatch[][] Search(float[] queries, IReadOnlyList<string?> exclude, NearestOptions options, int limit, ParallelOptions parallel)
    {
        var queryCount = exclude.Count;
        if (queries.Length != queryCount * Dimensions)
            throw new ArgumentException($"vector: {queries.Length} values are not {queryCount} queries of {Dimensions}.", nameof(queries));
        if (options.K < 1) throw new ArgumentException($"k: {options.K} must be at least 1.", nameof(options));
        if (Metric == NeighborMetric.Cosine)
            for (var q = 0; q < queryCount; q++) Normalize(queries.AsSpan(q * Dimensions, Dimensions));
        // The graph rounds a query as it rounds the vectors it stores; an exact scan does the same, so that both
        // rank by the same distances.
        if (graph.Storage == HnswStorage.Float16)
            for (var i = 0; i < queries.Length; i++) queries[i] = (float)(Half)queries[i];

        var rows = Count;
        limit = Math.Clamp(limit, 0, rows);
        var (bits, qualifying) = options.Labels.Length > 0 ? labelSets.Filter(options.Labels, limit) : (null, limit);
        var results = new NearestMatch[queryCount][];
        if (qualifying == 0)
        {
            Array.Fill(results, []);
            return results;
        }

        var excluded = new int[queryCount];
        for (var q = 0; q < queryCount; q++) excluded[q] = exclude[q] is { } id ? KeyOf(id) : -1;

        if (options.Exact || qualifying <= ScanSmallRows || bits is not null && (qualifying <= ScanRows || (long)qualifying * ScanFraction <= limit))
            return Scan(queries, excluded, options.K, bits, limit, parallel);

        var ef = Math.Max(options.Ef, options.K);
        if (bits is not null) ef = (int)Math.Min((long)ef * MaxFilterWidening, (long)ef * ((limit + qualifying - 1) / qualifying));
        var restricted = bits is not null || limit < rows;
        if (queryCount == 1)
            results[0] = SearchOne(queries.AsSpan(0, Dimensions), excluded[0], options.K, ef, bits, limit, restricted);
        else
            Parallel.For(0, queryCount, parallel, q =>
                results[q] = SearchOne(queries.AsSpan(q * Dimensions, Dimensions), excluded[q], options.K, ef, bits, limit, restricted));
        return results;
    }

    public void Dispose() => graph.Dispose();

    private unsafe NearestMatch[] SearchOne(ReadOnlySpan<float> query, int excluded, int k, int ef, ulong[]? bits, int limit, bool restricted)
    {
        // Unrestricted, the query's own image may take one of the places; a filter rejects it instead.
        var wanted = restricted ? ef : Math.Max(ef, excluded >= 0 ? k + 1 : k);
        Buffers(wanted, out var foundKeys, out var foundDistances);
        int count;
        if (restricted)
        {
            fixed (ulong* words = bits)
            {
                var state = new BitsetFilterState { Bits = words, Limit = (ulong)limit, Excluded = excluded >= 0 ? (ulong)excluded : ulong.MaxValue };
                count = graph.Search(query, foundKeys, foundDistances, KeyFilter.Over(&state));
            }
        }
        else
        {
            count = graph.Search(query, foundKeys, foundDistances);
        }

        var kept = 0;
        for (var i = 0; i < count && kept < k; i++)
            if ((long)foundKeys[i] != excluded) kept++;
        var matches = new NearestMatch[kept];
        var (rowIds, rowLabels) = (ids, labels);
        kept = 0;
        for (var i = 0; i < count && kept < matches.Length; i++)
        {
            var key = (int)foundKeys[i];
            if (key == excluded) continue;
            matches[kept++] = new NearestMatch(rowIds[key], Distance(foundDistances[i]), rowLabels[key]);
        }
        return matches;
    }

    /// <summary>Exact search: every qualifying row's stored vector against every query, a block of rows at a time.</summary>
    private NearestMatch[][] Scan(float[] queries, int[] excluded, int k, ulong[]? bits, int limit, ParallelOptions parallel)
    {
        var queryCount = excluded.Length;
        var best = new TopK[queryCount];
        for (var q = 0; q < queryCount; q++) best[q] = new TopK(k);
        var block = new float[ScanBlockRows * Dimensions];
        var blockKeys = new int[ScanBlockRows];
        var candidates = Qualifying(bits, limit).GetEnumerator();
        var more = true;
        while (more)
        {
            var filled = 0;
            while (filled < ScanBlockRows && (more = candidates.MoveNext()))
            {
                var key = candidates.Current;
                if (TryGetVector(key, block.AsSpan(filled * Dimensions, Dimensions))) blockKeys[filled++] = key;
            }
            if (filled == 0) break;
            Parallel.For(0, queryCount, parallel, q =>
            {
                var query = queries.AsSpan(q * Dimensions, Dimensions);
                for (var r = 0; r < filled; r++)
                {
                    if (blockKeys[r] == excluded[q]) continue;
                    var row = block.AsSpan(r * Dimensions, Dimensions);
                    var distance = Metric == NeighborMetric.Euclidean ? TensorPrimitives.Distance(query, row) : 1f - TensorPrimitives.Dot(query, row);
                    best[q].Offer(distance, blockKeys[r]);
                }
            });
        }
        var (rowIds, rowLabels) = (ids, labels);
        return [.. best.Select(top => top.Sorted().Select(m => new NearestMatch(rowIds[m.Row], Math.Max(0f, m.Distance), rowLabels[m.Row])).ToArray())];
    }

    private static IEnumerable<int> Qualifying(ulong[]? bits, int limit)
    {
        if (bits is null)
        {
            for (var key = 0; key < limit; key++) yield return key;
            yield break;
        }
        for (var w = 0; w < bits.Length; w++)
        {
            var word = bits[w];
            while (word != 0)
            {
                var key = (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                if (key < limit) yield return key;
            }
        }
    }

    /// <summary>
    /// A vector the graph can hold: of its dimensions, and within float16's range when it stores float16 (a cosine
    /// graph stores unit vectors, always within it). Rejected before any row is placed, so a refused batch leaves
    /// the partition as it was.
    /// </summary>
    private void CheckVector(string id, float[] vector)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"vector: {vector.Length} values for image '{id}' where the index has {Dimensions} dimensions.");
        if (graph.Storage == HnswStorage.Float16 && Metric == NeighborMetric.Euclidean && TensorPrimitives.MaxMagnitude(vector) is var largest && largest > (float)Half.MaxValue)
            throw new ArgumentException($"vector: image '{id}' has a value of magnitude {largest}, beyond the {(float)Half.MaxValue} that float16 storage holds; " +
                "configure the collection's index with float32 storage.");
    }

    /// <summary>The graph's distance as the API reports it: Euclidean, or 1 - cosine similarity.</summary>
    private float Distance(float graphDistance) =>
        Metric == NeighborMetric.Euclidean ? MathF.Sqrt(Math.Max(0f, graphDistance)) : Math.Max(0f, graphDistance);

    /// <summary>The vector as the graph stores it: as is, or scaled to unit length (a zero vector stays zero).</summary>
    private ReadOnlySpan<float> Prepare(float[] vector, float[] scratch)
    {
        if (Metric == NeighborMetric.Euclidean) return vector;
        vector.CopyTo(scratch, 0);
        Normalize(scratch);
        return scratch;
    }

    private static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
    }

    private void Place(int key, string id, string[] rowLabels)
    {
        ids[key] = id;
        labels[key] = rowLabels;
        keys[id] = key;
        labelSets.Add(key, rowLabels);
    }

    /// <summary>Grows the row arrays; searches keep reading the old arrays, which hold every row they can meet.</summary>
    private void Grow(int rows)
    {
        if (rows <= ids.Length) return;
        var capacity = Math.Max(rows, ids.Length + ids.Length / 2);
        var grownIds = ids;
        var grownLabels = labels;
        Array.Resize(ref grownIds, capacity);
        Array.Resize(ref grownLabels, capacity);
        Volatile.Write(ref labels, grownLabels);
        Volatile.Write(ref ids, grownIds);
    }

    /// <summary>This thread's result buffers, at least <paramref name="wanted"/> long: a search allocates only its matches.</summary>
    private static void Buffers(int wanted, out Span<ulong> foundKeys, out Span<float> foundDistances)
    {
        if (keyBuffer is null || distanceBuffer is null || keyBuffer.Length < wanted)
        {
            keyBuffer = new ulong[Math.Max(wanted, 64)];
            distanceBuffer = new float[keyBuffer.Length];
        }
        foundKeys = keyBuffer.AsSpan(0, wanted);
        foundDistances = distanceBuffer.AsSpan(0, wanted);
    }

    private static HnswMetric GraphMetric(NeighborMetric metric) => metric switch
    {
        NeighborMetric.Euclidean => HnswMetric.L2Squared,
        NeighborMetric.Cosine => HnswMetric.InnerProduct,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
