using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Display;

/// <summary>
/// Follows a job through the gateway's watch stream until it ends: a live progress bar on a terminal (iteration,
/// KL divergence, time left), a line per twentieth of the way otherwise. Ctrl+C stops following and, on a
/// terminal, offers to cancel the job; a second Ctrl+C quits at once.
/// </summary>
public sealed class JobFollower(GatewayClient client, string jobId)
{
    public const int Interrupted = 130;

    /// <summary>Follows the job and returns the exit code: 0 once it completes, 1 if it fails or is cancelled.</summary>
    public async Task<int> Run(bool offerCancel, string? output, CancellationToken cancellation)
    {
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C is ours to handle; the second ends the process as usual.
            e.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, interrupt.Token);
            Job? last;
            try
            {
                last = Console.IsOutputRedirected ? await Plain(linked.Token) : await Live(linked.Token);
            }
            catch (Exception e) when (interrupt.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                return await OnInterrupt(offerCancel);
            }
            return await Finish(last, output, cancellation);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private AsyncServerStreamingCall<JobProgress> Watch(CancellationToken cancellation) =>
        client.Jobs.WatchJob(new WatchJobRequest { JobId = jobId, IntervalMs = 250 }, cancellationToken: cancellation);

    private async Task<Job?> Plain(CancellationToken cancellation)
    {
        using var call = Watch(cancellation);
        Job? last = null;
        await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellation))
        {
            var job = progress.Job;
            var step = Math.Max(1, job.TotalIterations / 20);
            if (last is null || last.Phase != job.Phase || last.State != job.State || job.Iteration - last.Iteration >= step)
            {
                Console.WriteLine(Line(job, progress));
                last = job;
            }
        }
        return last;
    }

    private async Task<Job?> Live(CancellationToken cancellation)
    {
        Job? last = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape($"job {jobId}: starting"), maxValue: 1);
                using var call = Watch(cancellation);
                await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    last = progress.Job;
                    task.MaxValue = Math.Max(1, last.TotalIterations);
                    task.Value = last.State == JobState.Completed ? task.MaxValue : last.Iteration;
                    task.Description = Markup.Escape(Line(last, progress));
                }
                task.StopTask();
            });
        return last;
    }

    private static string Line(Job job, JobProgress progress)
    {
        var left = progress.HasSecondsLeft ? $", {Formats.Seconds(progress.SecondsLeft)} left" : "";
        return $"job {job.JobId}: {job.Phase}, iteration {job.Iteration}/{job.TotalIterations}, KL {Formats.Kl(job)}, {Formats.Seconds(job.ElapsedSeconds)}{left}";
    }

    private async Task<int> OnInterrupt(bool offerCancel)
    {
        var hint = $"it keeps running; follow it with `embeddings jobs watch {jobId}` or cancel it with `embeddings jobs cancel {jobId}`";
        if (!offerCancel || Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            Console.Error.WriteLine($"Stopped following job {jobId}: {hint}.");
            return Interrupted;
        }
        if (!await AnsiConsole.ConfirmAsync($"Cancel job [bold]{Markup.Escape(jobId)}[/] on the cluster?", defaultValue: false))
        {
            Console.Error.WriteLine($"Stopped following job {jobId}: {hint}.");
            return Interrupted;
        }
        var job = await client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = jobId });
        Console.Error.WriteLine($"Job {jobId} {Formats.State(job.State)} at iteration {job.Iteration}/{job.TotalIterations}.");
        return Interrupted;
    }

    private async Task<int> Finish(Job? job, string? output, CancellationToken cancellation)
    {
        if (job is null) throw new InvalidOperationException($"The gateway ended the watch of job {jobId} without a word.");
        switch (job.State)
        {
            case JobState.Completed:
                Console.WriteLine($"Job {jobId} completed: {job.Points} points, KL {Formats.Kl(job)}, {Formats.Seconds(job.ElapsedSeconds)}.");
                if (output is not null) await ResultFile.Write(client, jobId, output, cancellation);
                return 0;
            case JobState.Failed:
                Console.Error.WriteLine($"error: job {jobId} failed in phase {job.Phase}: {CliApplication.OneLine(job.Error)}");
                return CliApplication.Failure;
            default:
                Console.Error.WriteLine($"error: job {jobId} is {Formats.State(job.State)} at iteration {job.Iteration}/{job.TotalIterations}");
                return CliApplication.Failure;
        }
    }
}
