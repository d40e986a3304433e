using System.Numerics.Tensors;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// The map metrics of ../shared/peers/fmnist.py for any labelled input, on a fixed sample of rows (exact search
/// against every row): kNN accuracy@10 (the share of a row's 10 nearest map neighbours with its label) and kNN
/// preservation@10 (the share of its 10 nearest input neighbours that stay among its 10 nearest on the map).
/// 20,000 evenly spaced rows (fmnist.py's 2,000 leave a standard error near 0.005, as large as the differences
/// between two good maps).
/// </summary>
public static class MapQuality
{
    public static Dictionary<string, object?> Score(float[] input, int inputDimensions, float[] map, int mapDimensions, int[] labels, int sample = 20_000)
    {
        var n = map.Length / mapDimensions;
        sample = Math.Min(sample, n);
        var rows = Enumerable.Range(0, sample).Select(i => (int)((long)i * n / sample)).ToArray();
        double accuracy = 0, preservation = 0;
        var results = new (double Accuracy, double Preservation)[rows.Length];
        Parallel.For(0, rows.Length, r =>
        {
            var i = rows[r];
            var onMap = Nearest(map, mapDimensions, i, 10);
            var inInput = Nearest(input, inputDimensions, i, 10);
            results[r] = (onMap.Count(j => labels[j] == labels[i]) / 10.0, onMap.Intersect(inInput).Count() / 10.0);
        });
        foreach (var (a, p) in results)
        {
            accuracy += a;
            preservation += p;
        }
        return new Dictionary<string, object?>
        {
            ["knn_accuracy_10"] = Math.Round(accuracy / rows.Length, 4),
            ["knn_preservation_10"] = Math.Round(preservation / rows.Length, 4),
            ["quality_sample"] = rows.Length,
        };
    }

    private static int[] Nearest(float[] rows, int dimensions, int query, int k)
    {
        var n = rows.Length / dimensions;
        var q = rows.AsSpan(query * dimensions, dimensions);
        var best = new PriorityQueue<int, float>(k + 1, Comparer<float>.Create((a, b) => b.CompareTo(a)));
        for (var j = 0; j < n; j++)
        {
            if (j == query) continue;
            var d = TensorPrimitives.Distance(q, rows.AsSpan(j * dimensions, dimensions));
            if (best.Count < k) best.Enqueue(j, d);
            else if (best.TryPeek(out _, out var worst) && d < worst) best.EnqueueDequeue(j, d);
        }
        return [.. best.UnorderedItems.Select(e => e.Element)];
    }
}
