namespace Orleans.Embeddings.Tsne.Affinities;

/// <summary>
/// P = (P_cond + P_cond^T) / 2N as an exchange between shards: every conditional p(j|i) a shard holds stays with
/// row i as (i, j) and goes to the owner of row j as (j, i); each owner then adds up its rows' own conditionals and
/// what it received. A pair meets at most twice, and two floats add the same in either order, so P does not depend
/// on the sharding.
/// </summary>
public static class Symmetrization
{
    /// <summary>The entries this shard sends, each p(j|i) as (j, i), one array per destination shard (its own included).</summary>
    public static AffinityEntry[][] Outgoing(Neighbors.NeighborGraph graph, float[] conditional, ShardLayout layout)
    {
        var counts = new int[layout.ShardCount];
        foreach (var j in graph.Indices) counts[layout.OwnerOf(j)]++;
        var lists = counts.Select(c => new AffinityEntry[c]).ToArray();
        var filled = new int[layout.ShardCount];
        for (var r = 0; r < graph.Count; r++)
        {
            var i = graph.Start + r;
            var neighbors = graph.IndicesOf(r);
            for (var n = 0; n < graph.K; n++)
            {
                var j = neighbors[n];
                var owner = layout.OwnerOf(j);
                lists[owner][filled[owner]++] = new AffinityEntry(j, i, conditional[r * graph.K + n]);
            }
        }
        return lists;
    }

    /// <summary>
    /// Adds up the rows' own conditionals (the graph's lists and <paramref name="conditional"/>) and the entries every
    /// shard sent to them. The received arrays are cleared from <paramref name="received"/> once read, so that they
    /// can be collected before the rows are compacted.
    /// </summary>
    public static SparseAffinities Assemble(Neighbors.NeighborGraph graph, float[] conditional, int pointCount, AffinityEntry[]?[] received)
    {
        var (start, count, k) = (graph.Start, graph.Count, graph.K);
        var batches = received;
        var rowStarts = new int[count + 1];
        for (var r = 0; r < count; r++) rowStarts[r + 1] = k;
        foreach (var batch in batches)
            foreach (var e in batch!)
                rowStarts[e.Row - start + 1]++;
        for (var r = 0; r < count; r++) rowStarts[r + 1] += rowStarts[r];

        var columns = new int[rowStarts[count]];
        var values = new float[rowStarts[count]];
        var fill = rowStarts[..count];
        for (var r = 0; r < count; r++)
        {
            graph.IndicesOf(r).CopyTo(columns.AsSpan(fill[r], k));
            conditional.AsSpan(r * k, k).CopyTo(values.AsSpan(fill[r], k));
            fill[r] += k;
        }
        for (var b = 0; b < batches.Length; b++)
        {
            foreach (var e in batches[b]!)
            {
                var at = fill[e.Row - start]++;
                columns[at] = e.Column;
                values[at] = e.Value;
            }
            batches[b] = null;
        }
        // Sort each row by column and merge the (at most two) entries of a pair.
        var scale = 1.0 / (2.0 * pointCount);
        var mergedStarts = new int[count + 1];
        var written = 0;
        double entropy = 0;
        for (var r = 0; r < count; r++)
        {
            var from = rowStarts[r];
            var length = rowStarts[r + 1] - from;
            Array.Sort(columns, values, from, length);
            mergedStarts[r] = written;
            for (var at = from; at < from + length; at++)
            {
                var column = columns[at];
                var value = values[at];
                if (at + 1 < from + length && columns[at + 1] == column)
                    value += values[++at];
                var p = (float)(value * scale);
                columns[written] = column;
                values[written] = p;
                written++;
                if (p > 0) entropy += p * Math.Log(p);
            }
        }
        mergedStarts[count] = written;
        return new SparseAffinities(start, count, mergedStarts, columns[..written], values[..written], entropy);
    }
}
