namespace Orleans.Embeddings.Silo;

internal static class HostLifetimeExtensions
{
    /// <summary>
    /// Completes once every hosted service has started. The silo is one of them, so grain calls made after this
    /// find a running silo, whatever order the hosted services were registered in.
    /// </summary>
    public static async Task WhenStarted(this IHostApplicationLifetime lifetime, CancellationToken cancellation)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellation);
    }
}
