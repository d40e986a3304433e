using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// Several clients, each on its own connection to a gateway, searching back to back from a <see cref="NeighborQueryPool"/>
/// until stopped, every call with its own deadline. Each search's outcome is kept as a <see cref="QuerySample"/>
/// and each answer is checked against the pool's exact one.
/// </summary>
public sealed class QueryLoad
{
    /// <summary>
    /// How long a client waits after a failed call before its next one, as a client that retries does: an error
    /// can come back in microseconds, and without a pause the clients would spin on errors and take the CPU from the
    /// cluster that is recovering.
    /// </summary>
    public static readonly TimeSpan PauseAfterError = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<QuerySample> samples = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task[] clients;

    private QueryLoad(Uri address, NeighborQueryPool pool, int clients, TimeSpan deadline) =>
        this.clients = [.. Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(address, pool, c, clients, deadline)))];

    /// <summary>Time since the load started, the clock of every sample's end.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public static QueryLoad Start(Uri address, NeighborQueryPool pool, int clients, TimeSpan deadline) => new(address, pool, clients, deadline);

    /// <summary>Stops the clients once their calls in flight have ended, and returns every sample in order of end.</summary>
    public async Task<QuerySample[]> Stop()
    {
        await stopping.CancelAsync();
        await Task.WhenAll(clients);
        return [.. samples.OrderBy(s => s.End)];
    }

    private async Task Client(Uri address, NeighborQueryPool pool, int client, int clientCount, TimeSpan deadline)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var neighbors = new Neighbors.NeighborsClient(channel);
        // Clients start at different places in the pool, so that at any moment they ask different things.
        for (var next = client * pool.Count / clientCount; !stopping.IsCancellationRequested; next = (next + 1) % pool.Count)
        {
            var query = pool[next];
            var started = clock.Elapsed;
            StatusCode status;
            var (recall, wrong) = (double.NaN, (string?)null);
            try
            {
                // The call is not tied to stopping: a search in flight when the load stops ends on its own, and counts.
                var response = await neighbors.SearchAsync(query.Request, deadline: DateTime.UtcNow + deadline);
                status = StatusCode.OK;
                (recall, wrong) = pool.Check(query, response);
            }
            catch (RpcException e)
            {
                status = e.StatusCode;
            }
            var ended = clock.Elapsed;
            samples.Enqueue(new QuerySample(query.Kind, query.Request.Exact, ended, ended - started, status, recall, wrong));
            if (status != StatusCode.OK)
            {
                try
                {
                    await Task.Delay(PauseAfterError, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
