using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Grains.Providers;

namespace Orleans.Embeddings.Silo;

/// <summary>
/// Loads the 10,000 Fashion-MNIST test images as the collection <c>fashion-mnist</c> and computes its t-SNE map as
/// the job <c>demo</c>, so that a fresh host has something to show. Everything it does is idempotent: on a later
/// start the collection gains no image and the completed job is reported, not recomputed.
/// </summary>
public sealed class DemoJob(
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<DemoSettings> settings,
    ILogger<DemoJob> logger) : BackgroundService
{
    public const string CollectionName = "fashion-mnist";

    public const string JobId = "demo";

    private const int BatchSize = 1_000;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Value.Enabled)
        {
            logger.LogDebug("The demo is disabled ({Section}:Enabled is false).", DemoSettings.Section);
            return;
        }

        try
        {
            await lifetime.WhenStarted(stoppingToken);
            await Run(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; the job itself goes on from its checkpoint when a silo wakes it again.
        }
        catch (Exception exception)
        {
            // The demo is a convenience: its failure must not stop the silo, which serves every other collection.
            logger.LogError(exception, "The demo could not run.");
        }
    }

    private async Task Run(CancellationToken stoppingToken)
    {
        var directory = ResolveDirectory();
        var imagesPath = Path.Combine(directory, FashionMnist.TestImagesFile);
        var labelsPath = Path.Combine(directory, FashionMnist.TestLabelsFile);
        if (!File.Exists(imagesPath) || !File.Exists(labelsPath))
        {
            logger.LogWarning("The demo is skipped: {Images} and {Labels} are not both in {Directory}.",
                FashionMnist.TestImagesFile, FashionMnist.TestLabelsFile, directory);
            return;
        }

        var labels = FashionMnist.ReadLabels(labelsPath);
        var imageCount = FashionMnist.ReadImageCount(imagesPath);
        if (imageCount != labels.Length)
            throw new InvalidDataException($"'{imagesPath}' holds {imageCount} images but '{labelsPath}' {labels.Length} labels.");

        await EnsureCollection(imagesPath, labels, stoppingToken);
        await RunJob(stoppingToken);
    }

    private async Task EnsureCollection(string imagesPath, byte[] labels, CancellationToken stoppingToken)
    {
        var collection = grains.GetGrain<ICollectionGrain>(CollectionName);
        var info = await collection.GetInfo();
        if (info.Exists)
        {
            logger.LogInformation("Demo collection {Collection} exists with {Count} images.", CollectionName, info.Count);
        }
        else
        {
            info = await collection.Create(new CollectionSpec(PixelsProvider.ProviderName));
            logger.LogInformation("Created the demo collection {Collection} (provider {Provider}).", CollectionName, info.Provider);
        }

        var added = 0;
        for (var start = 0; start < labels.Length; start += BatchSize)
        {
            stoppingToken.ThrowIfCancellationRequested();
            var batch = new ImageDescription[Math.Min(BatchSize, labels.Length - start)];
            for (var i = 0; i < batch.Length; i++) batch[i] = Describe(imagesPath, start + i, labels[start + i]);
            added += await collection.Add(batch);
        }

        logger.LogInformation("Demo collection {Collection}: {Added} of {Total} Fashion-MNIST images were new.",
            CollectionName, added, labels.Length);
    }

    private static ImageDescription Describe(string imagesPath, int index, byte label)
    {
        var number = index.ToString("D5", CultureInfo.InvariantCulture);
        return new ImageDescription(
            $"t10k-{number}",
            new ImageSource(ImageSourceKind.IdxRecord, imagesPath, index),
            [FashionMnist.ClassNames[label]],
            new Dictionary<string, string>
            {
                ["split"] = "t10k",
                ["index"] = index.ToString(CultureInfo.InvariantCulture),
            });
    }

    private async Task RunJob(CancellationToken stoppingToken)
    {
        var job = grains.GetGrain<ITsneJobGrain>(JobId);
        var status = await job.Start(new TsneJobSpec(CollectionName, new TsneParameters()));
        // Recorded so that the gateway can list, search and export the demo map like the jobs it starts.
        await grains.GetGrain<ITsneJobRegistryGrain>(0).SetCollection(JobId, CollectionName);
        if (status.State == TsneJobState.Completed)
        {
            logger.LogInformation(
                "Demo t-SNE job {Job} has already completed: {Points} points, KL {Kl}, {Elapsed:F1} s; not recomputing it.",
                JobId, status.PointCount, FormatKl(status.KlDivergence), status.ElapsedSeconds);
            return;
        }

        logger.LogInformation("Demo t-SNE job {Job} is {State} on collection {Collection}.", JobId, status.State, CollectionName);
        while (!IsFinished(status.State))
        {
            await Task.Delay(ProgressInterval, stoppingToken);
            try
            {
                status = await job.GetStatus();
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A silo of the cluster may be leaving; the coordinator is woken again elsewhere, so keep asking.
                // The message is enough: a stack trace says nothing more about a lost silo.
                logger.LogWarning("Could not read the status of demo t-SNE job {Job} ({Error}); retrying.", JobId, exception.Message);
                continue;
            }

            logger.LogInformation("Demo t-SNE job {Job}: {Phase}, iteration {Iteration}/{Total}, KL {Kl}, {Elapsed:F1} s.",
                JobId, status.Phase, status.Iteration, status.TotalIterations, FormatKl(status.KlDivergence), status.ElapsedSeconds);
        }

        switch (status.State)
        {
            case TsneJobState.Completed:
                logger.LogInformation(
                    "Demo t-SNE job {Job} completed: {Points} points on {Partitions} partitions, KL {Kl}, {Elapsed:F1} s, {Resumptions} resumptions.",
                    JobId, status.PointCount, status.Partitions, FormatKl(status.KlDivergence), status.ElapsedSeconds, status.Resumptions);
                break;
            case TsneJobState.Cancelled:
                logger.LogWarning("Demo t-SNE job {Job} was cancelled at iteration {Iteration}.", JobId, status.Iteration);
                break;
            default:
                logger.LogError("Demo t-SNE job {Job} failed in phase {Phase}: {Error}", JobId, status.Phase, status.Error);
                break;
        }
    }

    private string ResolveDirectory()
    {
        var configured = settings.Value.Directory;
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist")
            : Path.GetFullPath(configured);
    }

    private static bool IsFinished(TsneJobState state) =>
        state is TsneJobState.Completed or TsneJobState.Failed or TsneJobState.Cancelled;

    private static string FormatKl(double? kl) => kl?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a";
}
