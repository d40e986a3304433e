using System.Globalization;
using Grpc.Core;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>The searches of a <see cref="QueryLoad"/> that ended within one stretch of time, summed up.</summary>
public sealed class LoadPhase
{
    private LoadPhase(string name, TimeSpan from, TimeSpan to, QuerySample[] samples)
    {
        Name = name;
        From = from;
        To = to;
        Samples = samples;
    }

    public string Name { get; }

    public TimeSpan From { get; }

    public TimeSpan To { get; }

    public QuerySample[] Samples { get; }

    public int Answered => Samples.Count(s => s.Answered);

    public int Errors => Samples.Count(s => !s.Answered);

    /// <summary>Answers that <see cref="NeighborQueryPool.Check"/> found wrong.</summary>
    public QuerySample[] Wrong => [.. Samples.Where(s => s.Wrong is not null)];

    /// <summary>The mean and the least share of the exact k nearest in the index's answers (the exact searches must hold them all).</summary>
    public (double Mean, double Least) IndexRecall
    {
        get
        {
            var recalls = Samples.Where(s => s.Answered && !s.Exact && s.Wrong is null).Select(s => s.Recall).ToArray();
            return recalls.Length == 0 ? (double.NaN, double.NaN) : (recalls.Average(), recalls.Min());
        }
    }

    /// <summary>Failed calls by gRPC status, most frequent first.</summary>
    public IReadOnlyList<(StatusCode Status, int Count)> ErrorsByStatus =>
        [.. Samples.Where(s => !s.Answered).GroupBy(s => s.Status).Select(g => (g.Key, g.Count())).OrderByDescending(e => e.Item2)];

    /// <summary>The searches that ended in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static LoadPhase Of(string name, IEnumerable<QuerySample> samples, TimeSpan from, TimeSpan to) =>
        new(name, from, to, [.. samples.Where(s => s.End >= from && s.End < to)]);

    /// <summary>One line: counts, errors by status, and the latency of answered and of failed calls.</summary>
    public override string ToString()
    {
        var answered = Latencies(Samples.Where(s => s.Answered));
        var failed = Latencies(Samples.Where(s => !s.Answered));
        var errors = Errors == 0 ? "0 errors" : $"{Errors} errors ({string.Join(", ", ErrorsByStatus.Select(e => $"{e.Status} {e.Count}"))})";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Name,-6} [{From.TotalSeconds,5:F1} s, {To.TotalSeconds,5:F1} s): {Answered} answered ({Answered / (To - From).TotalSeconds:F0}/s), " +
            $"{Wrong.Length} wrong, {errors}; index recall@k mean {IndexRecall.Mean:F3}, least {IndexRecall.Least:F1}; answered p50 {Percentile(answered, 0.50)} ms, p99 {Percentile(answered, 0.99)} ms, max {Percentile(answered, 1)} ms");
        return failed.Length == 0 ? line : line + string.Create(CultureInfo.InvariantCulture, $"; failed p50 {Percentile(failed, 0.50)} ms, max {Percentile(failed, 1)} ms");
    }

    private static double[] Latencies(IEnumerable<QuerySample> samples) => [.. samples.Select(s => s.Latency.TotalMilliseconds).Order()];

    /// <summary>The nearest-rank percentile, in whole milliseconds; "-" when there is nothing to rank.</summary>
    private static string Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? "-" : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)].ToString("F0", CultureInfo.InvariantCulture);
}
