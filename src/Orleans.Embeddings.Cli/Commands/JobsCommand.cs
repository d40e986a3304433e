using System.CommandLine;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Display;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary><c>embeddings jobs</c>: lists the jobs; <c>watch</c>, <c>cancel</c> and <c>result</c> act on one.</summary>
public static class JobsCommand
{
    public static Command Build(GlobalOptions global)
    {
        var command = new Command("jobs", "List the t-SNE jobs, or watch, cancel or fetch the result of one.");
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = global.Connect(parse);
            var jobs = await client.Jobs.ListJobsAsync(new ListJobsRequest(), cancellationToken: cancellation);
            var table = new Table().AddColumns("job", "collection", "state", "phase", "iteration", "KL", "elapsed");
            foreach (var job in jobs.Jobs)
                table.AddRow(Markup.Escape(job.JobId), Markup.Escape(job.Collection), Formats.State(job.State), Markup.Escape(job.Phase),
                    $"{job.Iteration}/{job.TotalIterations}", Formats.Kl(job), Formats.Seconds(job.ElapsedSeconds));
            if (jobs.Jobs.Count == 0) Console.WriteLine("No jobs.");
            else AnsiConsole.Write(table);
            return 0;
        });

        var watchId = new Argument<string>("job") { Description = "The job id." };
        var watch = new Command("watch", "Follow a job until it ends (Ctrl+C offers to cancel it).") { watchId };
        watch.SetAction(async (parse, cancellation) =>
        {
            using var client = global.Connect(parse);
            return await new JobFollower(client, parse.GetValue(watchId)!).Run(offerCancel: true, output: null, cancellation);
        });

        var cancelId = new Argument<string>("job") { Description = "The job id." };
        var cancel = new Command("cancel", "Cancel a running job.") { cancelId };
        cancel.SetAction(async (parse, cancellation) =>
        {
            using var client = global.Connect(parse);
            var job = await client.Jobs.CancelJobAsync(new CancelJobRequest { JobId = parse.GetValue(cancelId)! }, cancellationToken: cancellation);
            Console.WriteLine($"Job {job.JobId} {Formats.State(job.State)} at iteration {job.Iteration}/{job.TotalIterations}.");
            return 0;
        });

        var resultId = new Argument<string>("job") { Description = "The job id." };
        var resultOutput = new Option<string>("--output", "-o") { Description = "The TSV to write (id, x, y).", Required = true };
        var result = new Command("result", "Write a completed job's map to a TSV.") { resultId, resultOutput };
        result.SetAction(async (parse, cancellation) =>
        {
            using var client = global.Connect(parse);
            await ResultFile.Write(client, parse.GetValue(resultId)!, parse.GetValue(resultOutput)!, cancellation);
            return 0;
        });

        command.Subcommands.Add(watch);
        command.Subcommands.Add(cancel);
        command.Subcommands.Add(result);
        return command;
    }
}
