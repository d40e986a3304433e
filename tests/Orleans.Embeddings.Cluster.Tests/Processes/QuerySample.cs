using Grpc.Core;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// One search a client made: when it ended (from the start of the load), how long it took, its status, and for an
/// answer, the share of the exact k nearest it held and what was wrong with it, if anything.
/// </summary>
public readonly record struct QuerySample(
    string Kind, bool Exact, TimeSpan End, TimeSpan Latency, StatusCode Status, double Recall, string? Wrong)
{
    public bool Answered => Status == StatusCode.OK;
}
