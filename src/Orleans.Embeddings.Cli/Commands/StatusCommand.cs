using System.CommandLine;
using Grpc.Health.V1;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Display;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary><c>embeddings status [COLLECTION]</c>: the gateway's health with the collections and jobs, or one collection in detail.</summary>
public static class StatusCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string?>("collection") { Description = "Show this collection's embedding counts.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show the gateway's health, the collections and the jobs.") { collection };
        command.SetAction(async (parse, cancellation) =>
        {
            using var client = global.Connect(parse);
            var health = await client.Health.CheckAsync(new HealthCheckRequest(), cancellationToken: cancellation);
            Console.WriteLine($"Gateway {client.Address}: {health.Status.ToString().ToUpperInvariant()}");
            if (parse.GetValue(collection) is { } name)
            {
                var info = await client.Collections.GetCollectionAsync(new GetCollectionRequest { Name = name }, cancellationToken: cancellation);
                Console.WriteLine($"Collection '{info.Name}': provider {info.Provider}, {info.Dimensions} dimensions, {info.Size} images: " +
                    $"{info.Embeddings.Embedded} embedded, {info.Embeddings.Failed} failed, {info.Embeddings.Pending} pending.");
                foreach (var failure in info.Embeddings.Failures) Console.WriteLine($"  failed: {failure}");
                return 0;
            }
            if (health.Status != HealthCheckResponse.Types.ServingStatus.Serving) return CliApplication.Failure;

            var collections = await client.Collections.ListCollectionsAsync(new ListCollectionsRequest(), cancellationToken: cancellation);
            var table = new Table().AddColumns("collection", "provider", "dimensions", "images");
            foreach (var c in collections.Collections)
                table.AddRow(Markup.Escape(c.Name), Markup.Escape(c.Provider), c.Dimensions.ToString(), c.Size.ToString());
            if (collections.Collections.Count == 0) Console.WriteLine("No collections.");
            else AnsiConsole.Write(table);

            var jobs = await client.Jobs.ListJobsAsync(new ListJobsRequest(), cancellationToken: cancellation);
            var byState = jobs.Jobs.GroupBy(j => Formats.State(j.State)).Select(g => $"{g.Count()} {g.Key}");
            Console.WriteLine(jobs.Jobs.Count == 0 ? "No jobs." : $"Jobs: {string.Join(", ", byState)}.");
            return 0;
        });
        return command;
    }
}
