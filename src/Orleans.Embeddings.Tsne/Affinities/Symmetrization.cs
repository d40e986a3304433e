namespace Orleans.Embeddings.Tsne.Affinities;

/// <summary>
/// P = (P_cond + P_cond^T) / 2N as an exchange between shards: every conditional p(j|i) a shard holds goes to
/// the owner of row i as (i, j) and to the owner of row j as (j, i); each owner then adds up what it received.
/// A pair meets at most twice, and two floats add the same in either order, so P does not depend on the sharding.
/// </summary>
public static class Symmetrization
{
    /// <summary>The entries this shard sends, one array per destination shard (its own included).</summary>
    public static AffinityEntry[][] Outgoing(Neighbors.NeighborGraph graph, float[] conditional, ShardLayout layout)
    {
        var self = layout.OwnerOf(graph.Start);
        var counts = new int[layout.ShardCount];
        counts[self] = graph.Indices.Length;
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
                var p = conditional[r * graph.K + n];
                lists[self][filled[self]++] = new AffinityEntry(i, j, p);
                var owner = layout.OwnerOf(j);
                lists[owner][filled[owner]++] = new AffinityEntry(j, i, p);
            }
        }
        return lists;
    }

    /// <summary>Adds up the entries every shard sent to the rows [start, start + count).</summary>
    public static SparseAffinities Assemble(int start, int count, int pointCount, IEnumerable<AffinityEntry[]> received)
    {
        var batches = received.ToArray();
        var rowStarts = new int[count + 1];
        foreach (var batch in batches)
            foreach (var e in batch)
                rowStarts[e.Row - start + 1]++;
        for (var r = 0; r < count; r++) rowStarts[r + 1] += rowStarts[r];

        var columns = new int[rowStarts[count]];
        var values = new float[rowStarts[count]];
        var fill = rowStarts[..count];
        foreach (var batch in batches)
            foreach (var e in batch)
            {
                var at = fill[e.Row - start]++;
                columns[at] = e.Column;
                values[at] = e.Value;
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
