using System.Text.Json;
using Orleans.Embeddings.Benchmarks;

// Every suite prints its figures as one JSON object on the last line of its output.
var suites = new Dictionary<string, Func<BenchmarkArguments, Dictionary<string, object?>>>
{
    ["tsne"] = TsneSuite.Run,
    ["cluster"] = ClusterSuite.Run,
    ["ann"] = AnnSuite.Run,
    ["grpc"] = GrpcSuite.Run,
    ["standin"] = StandInSuite.Run,
    ["score"] = ScoreSuite.Run,
    ["neighbors"] = NeighborsSuite.Run,
    ["page"] = PageSuite.Run,
};
if (args.Length == 0 || !suites.TryGetValue(args[0], out var suite))
{
    Console.Error.WriteLine($"usage: Orleans.Embeddings.Benchmarks <{string.Join("|", suites.Keys)}> [--option value ...]");
    return 2;
}
try
{
    var figures = suite(new BenchmarkArguments(args.Skip(1)));
    Console.WriteLine(JsonSerializer.Serialize(figures));
    return 0;
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
