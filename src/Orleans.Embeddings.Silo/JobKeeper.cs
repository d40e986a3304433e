namespace Orleans.Embeddings.Silo;

/// <summary>
/// Keeps running t-SNE jobs alive across silo failures. A coordinator grain whose silo died is not reactivated until
/// something calls it; every few seconds each silo asks the job registry which jobs are running and calls each
/// one's status, which reactivates a lost coordinator elsewhere so that it resumes from its last checkpoint.
/// </summary>
public sealed class JobKeeper(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<JobKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await lifetime.WhenStarted(stoppingToken);
            using var timer = new PeriodicTimer(Interval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await WakeRunningJobs();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Failures are expected while silos join and leave (the registry's or a coordinator's silo may be gone for a
    // moment), and the next round retries, so they are logged at debug level and never escape.
    private async Task WakeRunningJobs()
    {
        string[] running;
        try
        {
            running = await grains.GetGrain<ITsneJobRegistryGrain>(0).GetRunning();
        }
        catch (Exception exception)
        {
            logger.LogDebug(exception, "Could not list the running t-SNE jobs.");
            return;
        }

        foreach (var jobId in running)
        {
            try
            {
                await grains.GetGrain<ITsneJobGrain>(jobId).GetStatus();
            }
            catch (Exception exception)
            {
                logger.LogDebug(exception, "Could not reach the coordinator of t-SNE job {Job}.", jobId);
            }
        }
    }
}
