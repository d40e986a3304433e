using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cluster.Tests.Search;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// A fixed set of k-nearest-neighbour searches over vectors the test knows, each with its exact answer worked out
/// here by brute force, so that any answer the cluster gives can be checked whatever state the cluster is in. The
/// answers are those of the vectors as the index stores them by default, rounded to float16, as are the queries.
/// The searches take turns: by id and by vector, each through the index and as an exact scan.
/// </summary>
public sealed class NeighborQueryPool
{
    private readonly float[] rows;
    private readonly int dimensions;
    private readonly PooledQuery[] queries;

    /// <param name="rows">The collection's vectors, row-major; row r is the image <see cref="Id"/>(r).</param>
    public NeighborQueryPool(string collection, float[] rows, int dimensions, int size, int k, int seed)
    {
        this.rows = SearchData.AsStored(rows);
        this.dimensions = dimensions;
        var count = rows.Length / dimensions;
        var random = new Random(seed);
        queries = new PooledQuery[size];
        for (var i = 0; i < size; i++)
        {
            var row = random.Next(count);
            var byId = i % 2 == 0;
            var exact = i / 2 % 2 == 1;
            var request = new SearchRequest { Collection = collection, K = k, Exact = exact };
            float[] vector;
            if (byId)
            {
                vector = Row(row);
                request.Query = new NeighborQuery { Id = Id(row) };
            }
            else
            {
                // Near a stored point but not on it, so that the answer is not led by an exact match.
                vector = [.. Row(row).Select(v => v + (float)(0.3 * (random.NextDouble() - 0.5)))];
                request.Query = new NeighborQuery { Vector = new Vector { Values = { vector } } };
                vector = SearchData.AsStored(vector);
            }
            var expected = Enumerable.Range(0, count)
                .Where(r => !byId || r != row)
                .Select(r => Distance(vector, r))
                .Order()
                .Take(k)
                .ToArray();
            queries[i] = new PooledQuery($"{(byId ? "id" : "vector")}{(exact ? "/exact" : "")}", request, vector, byId ? Id(row) : null, expected);
        }
    }

    public int Count => queries.Length;

    public PooledQuery this[int index] => queries[index];

    public static string Id(int row) => $"v{row:D5}";

    /// <summary>
    /// The share of the exact k nearest (up to ties in distance) that an answer holds, and why the answer is wrong,
    /// or null when it is right: k distinct images of the collection other than the query's own, each at the
    /// distance it really is, and for an exact search the k nearest.
    /// </summary>
    public (double Recall, string? Wrong) Check(PooledQuery query, SearchResponse response)
    {
        var count = rows.Length / dimensions;
        var k = query.Expected.Length;
        if (response.Neighbors.Count != k)
            return (double.NaN, $"{query.Kind}: {response.Neighbors.Count} neighbours, not {k}");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var distances = new double[k];
        for (var i = 0; i < k; i++)
        {
            var neighbor = response.Neighbors[i];
            if (!seen.Add(neighbor.Id)) return (double.NaN, $"{query.Kind}: {neighbor.Id} twice");
            if (neighbor.Id == query.Exclude) return (double.NaN, $"{query.Kind}: the query's own image {neighbor.Id} among its neighbours");
            if (neighbor.Id.Length != 6 || !int.TryParse(neighbor.Id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row >= count)
                return (double.NaN, $"{query.Kind}: unknown id {neighbor.Id}");
            distances[i] = Distance(query.Vector, row);
            if (Math.Abs(neighbor.Distance - distances[i]) > Tolerance(distances[i]))
                return (double.NaN, $"{query.Kind}: {neighbor.Id} at distance {neighbor.Distance}, where it is {distances[i]:G6}");
            if (i > 0 && neighbor.Distance < response.Neighbors[i - 1].Distance)
                return (double.NaN, $"{query.Kind}: neighbour {i} nearer than neighbour {i - 1}");
        }
        // Another image at the same distance as the k-th nearest is as good an answer.
        var kth = query.Expected[k - 1];
        var recall = (double)distances.Count(d => d <= kth + Tolerance(kth)) / k;
        return query.Request.Exact && recall < 1
            ? (recall, $"{query.Kind}: {recall * k:F0} of the {k} nearest; distances {Join(distances.Order())} where the nearest are {Join(query.Expected)}")
            : (recall, null);
    }

    private static double Tolerance(double distance) => 1e-4 * (1 + distance);

    private static string Join(IEnumerable<double> distances) => string.Join(" ", distances.Select(d => d.ToString("F3", CultureInfo.InvariantCulture)));

    private float[] Row(int row) => rows.AsSpan(row * dimensions, dimensions).ToArray();

    private double Distance(float[] vector, int row)
    {
        var sum = 0.0;
        for (var d = 0; d < dimensions; d++)
        {
            var difference = (double)vector[d] - rows[row * dimensions + d];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }
}
