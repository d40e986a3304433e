using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>
/// The generated clients of every service over one channel: what any .NET program referencing the contracts uses.
/// Calls without a deadline of their own end after <see cref="CallLimit"/>.
/// </summary>
public sealed class GatewayClients(GrpcChannel channel)
{
    /// <summary>Longer than any call of the tests takes; a call still open then has hung.</summary>
    public static readonly TimeSpan CallLimit = TimeSpan.FromMinutes(5);

    private readonly CallInvoker calls = channel.Intercept(new DefaultDeadline(CallLimit));

    public GrpcChannel Channel { get; } = channel;

    public Collections.CollectionsClient Collections => new(calls);

    public Jobs.JobsClient Jobs => new(calls);

    public Neighbors.NeighborsClient Neighbors => new(calls);

    public Export.ExportClient Export => new(calls);

    public Grpc.Health.V1.Health.HealthClient Health => new(calls);

    /// <summary>Streams the items in messages of <paramref name="batch"/> and returns the gateway's answer.</summary>
    public async Task<IngestResponse> Ingest(string collection, IEnumerable<IngestItem> items, int batch = 100)
    {
        using var call = Collections.Ingest();
        foreach (var chunk in items.Chunk(batch))
            await call.RequestStream.WriteAsync(new IngestRequest { Collection = collection, Items = { chunk } });
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    /// <summary>Polls the job until it has ended (or <paramref name="until"/> holds).</summary>
    public async Task<Job> WaitForJob(string jobId, TimeSpan timeout, Func<Job, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
            if (until?.Invoke(job) ?? job.State is JobState.Completed or JobState.Failed or JobState.Cancelled) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Job {jobId} is still {job.State} ({job.Phase}, {job.Iteration}/{job.TotalIterations}) after {timeout}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Asks the health service until <paramref name="wanted"/> holds for its answer; an endpoint not listening yet counts as no answer.</summary>
    public async Task<HealthCheckResponse.Types.ServingStatus> WaitForHealth(Func<HealthCheckResponse.Types.ServingStatus, bool> wanted, TimeSpan timeout, string service = "")
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = (await Health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10))).Status;
                if (wanted(status)) return status;
                last = status.ToString();
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded)
            {
                last = e.Status.Detail;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The health service did not give the wanted answer in {timeout}; last: {last}.");
    }
}
