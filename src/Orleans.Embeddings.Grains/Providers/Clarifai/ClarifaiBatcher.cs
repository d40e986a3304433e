using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// One per silo: gathers the images that the silo's grains want embedded into requests of up to
/// <see cref="ClarifaiOptions.MaxBatchSize"/> inputs, sends at most <see cref="ClarifaiOptions.MaxConcurrentRequests"/>
/// at once (the HttpClient's rate limiter spaces them), and hands each output to the image whose input id it echoes,
/// never by its position in the response.
/// </summary>
/// <remarks>
/// A batch is sent when it is full or when its first image has waited <see cref="ClarifaiOptions.BatchDelay"/>; a
/// send slot is taken before a batch is gathered, so while every slot is busy images pile up and the next batches
/// leave full. Verdicts on single images (download failed, wrong dimensions) complete those images only; a bad token
/// or an outage fails the batch with an exception, which the image grains do not record.
/// </remarks>
public sealed class ClarifaiBatcher(ClarifaiClient client, IOptions<ClarifaiOptions> options, ILogger<ClarifaiBatcher> logger) : IAsyncDisposable
{
    private readonly Channel<PendingImage> queue = Channel.CreateUnbounded<PendingImage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock startGate = new();
    private Task? loop;
    private long lastId;

    /// <summary>Queues one image; the task completes with its vector or Clarifai's verdict on it, or fails with the batch.</summary>
    public Task<ClarifaiResult> Embed(ClarifaiImage image, CancellationToken cancellation)
    {
        var settings = options.Value;
        Start(settings);
        var pending = new PendingImage(image, $"in-{Interlocked.Increment(ref lastId)}");
        if (!queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(ClarifaiBatcher), "The silo is stopping.");
        return pending.Completion.Task.WaitAsync(cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        // Cancelled before the queue is closed, so that the loop sees a stop and not a closed queue.
        await stopping.CancelAsync();
        queue.Writer.TryComplete();
        if (loop is not null) await loop;
        var stopped = new ClarifaiUnavailableException("The silo stopped before Clarifai answered; the image stays pending.");
        while (queue.Reader.TryRead(out var pending)) pending.Fail(stopped);
        stopping.Dispose();
    }

    private void Start(ClarifaiOptions settings)
    {
        if (loop is not null) return;
        lock (startGate) loop ??= Task.Run(() => Run(settings, stopping.Token));
    }

    private async Task Run(ClarifaiOptions settings, CancellationToken stop)
    {
        var slots = new SemaphoreSlim(settings.MaxConcurrentRequests);
        var sending = new HashSet<Task>();
        PendingImage? carried = null;
        try
        {
            while (true)
            {
                await slots.WaitAsync(stop);
                (var batch, carried) = await NextBatch(settings, carried, stop);
                var send = Dispatch(batch, settings, slots, stop);
                lock (sending) sending.Add(send);
                _ = send.ContinueWith(done =>
                {
                    lock (sending) sending.Remove(done);
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && stop.IsCancellationRequested)
        {
            // The silo is stopping.
        }
        carried?.Fail(new ClarifaiUnavailableException("The silo stopped before Clarifai answered; the image stays pending."));
        Task[] left;
        lock (sending) left = [.. sending];
        await Task.WhenAll(left);
    }

    private async Task<(List<PendingImage> Batch, PendingImage? Carried)> NextBatch(ClarifaiOptions settings, PendingImage? carried, CancellationToken stop)
    {
        var reader = queue.Reader;
        var first = carried ?? await reader.ReadAsync(stop);
        var batch = new List<PendingImage>(settings.MaxBatchSize) { first };
        var bytes = first.Image.RequestBytes;
        while (batch.Count < settings.MaxBatchSize)
        {
            if (reader.TryRead(out var next))
            {
                if (bytes + next.Image.RequestBytes > settings.MaxBatchBytes) return (batch, next);
                batch.Add(next);
                bytes += next.Image.RequestBytes;
                continue;
            }
            var wait = settings.BatchDelay - Stopwatch.GetElapsedTime(first.QueuedAt);
            if (wait <= TimeSpan.Zero) break;
            using var linger = CancellationTokenSource.CreateLinkedTokenSource(stop);
            linger.CancelAfter(wait);
            try
            {
                if (!await reader.WaitToReadAsync(linger.Token)) break;
            }
            catch (OperationCanceledException)
            {
                // The wait is over, or the silo is stopping: either way the batch goes (and, when stopping, fails at once).
                break;
            }
        }
        return (batch, null);
    }

    private async Task Dispatch(IReadOnlyList<PendingImage> batch, ClarifaiOptions settings, SemaphoreSlim slots, CancellationToken stop)
    {
        try
        {
            await Send(batch, settings, stop);
        }
        catch (Exception e)
        {
            // No image may be left waiting for an answer that will never come.
            logger.LogError(e, "A batch of {Count} images failed unexpectedly.", batch.Count);
            var error = new ClarifaiUnavailableException($"The batch failed unexpectedly ({e.Message}); the images stay pending.", e);
            foreach (var pending in batch) pending.Fail(error);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task Send(IReadOnlyList<PendingImage> batch, ClarifaiOptions settings, CancellationToken stop)
    {
        ClarifaiResponse response;
        try
        {
            response = await client.PostOutputs([.. batch.Select(p => new ClarifaiRequestInput(p.Id, p.Image.ToInputData()))], stop);
        }
        catch (ClarifaiAuthenticationException e)
        {
            logger.LogError("Clarifai embedding stopped: {Reason}", e.Message);
            // Whatever is queued would go out with the same token: fail it now instead of sending request after request.
            foreach (var pending in batch) pending.Fail(e);
            while (queue.Reader.TryRead(out var queued)) queued.Fail(e);
            return;
        }
        catch (ClarifaiRejectedException e) when (batch.Count > 1)
        {
            // Refused as a whole without a word on which input is at fault: halve until the culprit is alone, so
            // that the other images are not failed with it.
            logger.LogWarning("{Reason} Splitting the batch of {Count} to find the input at fault.", e.Message, batch.Count);
            var half = batch.Count / 2;
            await Send([.. batch.Take(half)], settings, stop);
            await Send([.. batch.Skip(half)], settings, stop);
            return;
        }
        catch (ClarifaiRejectedException e)
        {
            batch[0].Complete(ClarifaiResult.Failed(e.Message));
            return;
        }
        catch (Exception e)
        {
            var outage = e as ClarifaiUnavailableException
                ?? new ClarifaiUnavailableException(stop.IsCancellationRequested
                    ? "The silo stopped before Clarifai answered; the image stays pending."
                    : $"Clarifai's answer could not be used ({e.Message}); the images stay pending.", e);
            logger.LogWarning("A batch of {Count} images was not embedded: {Reason}", batch.Count, outage.Message);
            foreach (var pending in batch) pending.Fail(outage);
            return;
        }
        Route(batch, response, settings);
    }

    private void Route(IReadOnlyList<PendingImage> batch, ClarifaiResponse response, ClarifaiOptions settings)
    {
        var outputs = new Dictionary<string, ClarifaiOutput>(StringComparer.Ordinal);
        foreach (var output in response.Outputs ?? [])
            if (output.Input?.Id is { } id)
                outputs.TryAdd(id, output);
        foreach (var pending in batch)
        {
            if (!outputs.TryGetValue(pending.Id, out var output))
            {
                pending.Complete(ClarifaiResult.Failed("Clarifai's response had no output for this image."));
                continue;
            }
            var status = output.Status ?? response.Status;
            var code = status?.Code ?? ClarifaiStatusCodes.Success;
            if (code == ClarifaiStatusCodes.Success)
                pending.Complete(Check(output, settings));
            else if (ClarifaiStatusCodes.IsRetryable(code))
                Retry(pending, status!, settings);
            else
                pending.Complete(ClarifaiResult.Failed($"Clarifai could not embed this image: {status}."));
        }
    }

    private static ClarifaiResult Check(ClarifaiOutput output, ClarifaiOptions settings)
    {
        var embedding = output.Data?.Embeddings is { Count: > 0 } embeddings ? embeddings[0] : null;
        if (embedding?.Vector is not { Length: > 0 } vector)
            return ClarifaiResult.Failed("Clarifai's output for this image had no embedding.");
        if (settings.Dimensions > 0 && vector.Length != settings.Dimensions)
            return ClarifaiResult.Failed($"Clarifai returned {vector.Length} dimensions where {settings.ModelId} has {settings.Dimensions}; the vector was rejected.");
        if (embedding.NumDimensions > 0 && embedding.NumDimensions != vector.Length)
            return ClarifaiResult.Failed($"Clarifai's vector has {vector.Length} values but says it has {embedding.NumDimensions}; it was rejected.");
        if (!vector.All(float.IsFinite))
            return ClarifaiResult.Failed("Clarifai returned a vector with non-finite values; it was rejected.");
        return ClarifaiResult.Embedded(vector);
    }

    /// <summary>An output that says "try again" sends its image back to the queue after a backoff, a bounded number of times.</summary>
    private void Retry(PendingImage pending, ClarifaiStatus status, ClarifaiOptions settings)
    {
        if (++pending.Attempts > settings.MaxRetries)
        {
            pending.Fail(new ClarifaiUnavailableException($"Clarifai still answered {status} for this image after {settings.MaxRetries} retries; it stays pending."));
            return;
        }
        var delay = TimeSpan.FromTicks(Math.Min(settings.MaxRetryDelay.Ticks, settings.RetryDelay.Ticks << Math.Min(pending.Attempts - 1, 20)));
        _ = Requeue(pending, delay);
    }

    private async Task Requeue(PendingImage pending, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, stopping.Token);
            pending.QueuedAt = Stopwatch.GetTimestamp();
            if (queue.Writer.TryWrite(pending)) return;
        }
        catch (OperationCanceledException)
        {
        }
        pending.Fail(new ClarifaiUnavailableException("The silo stopped before Clarifai answered; the image stays pending."));
    }

    /// <summary>An image waiting for its output; <see cref="Id"/> is the input id the response echoes.</summary>
    private sealed class PendingImage(ClarifaiImage image, string id)
    {
        public ClarifaiImage Image { get; } = image;

        public string Id { get; } = id;

        public TaskCompletionSource<ClarifaiResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>When it joined the queue (a <see cref="Stopwatch"/> timestamp).</summary>
        public long QueuedAt { get; set; } = Stopwatch.GetTimestamp();

        public int Attempts { get; set; }

        public void Complete(ClarifaiResult result) => Completion.TrySetResult(result);

        public void Fail(Exception error) => Completion.TrySetException(error);
    }
}
