namespace Orleans.Embeddings.Benchmarks;

/// <summary>The `--name value` options after a suite's name.</summary>
public sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public BenchmarkArguments(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            if (!e.Current.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{e.Current}'; options look like --name value.");
            var name = e.Current[2..];
            values[name] = e.MoveNext() ? e.Current : throw new ArgumentException($"--{name} needs a value.");
        }
    }

    public string? String(string name) => values.GetValueOrDefault(name);

    public int Int(string name, int fallback) =>
        values.TryGetValue(name, out var text) ? int.TryParse(text, out var value) ? value : throw new ArgumentException($"--{name} must be a whole number; got '{text}'.") : fallback;
}
