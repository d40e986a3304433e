using System.CommandLine;
using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings trust COLLECTION --map JOB</c>: how far a completed map can be trusted: for each image, the share
/// of its k nearest neighbours in the embedding space that stay among its k nearest on the map. Prints the job's
/// summary and the least trusted images (or the given ones).
/// </summary>
public static class TrustCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection the job mapped." };
        var map = new Option<string>("--map") { Description = "The completed job whose map is judged.", Required = true };
        var k = new Option<int>("-k", "--k") { Description = "Neighbours compared per image.", DefaultValueFactory = _ => 10 };
        var ids = new Option<string[]>("--id") { Description = "Show these images (repeat for several) instead of the least trusted." };
        var top = new Option<int>("--top") { Description = "How many of the least trusted images to show.", DefaultValueFactory = _ => 10 };
        var metric = new Option<string?>("--metric") { Description = "The embedding space's metric: euclidean or cosine [euclidean]." };
        metric.AcceptOnlyFromAmong("euclidean", "cosine");
        var ef = new Option<int?>("--ef") { Description = "Candidates the index keeps while searching [the collection's default]." };

        var command = new Command("trust", "Judge a map: how many of each image's neighbours it keeps.") { collection, map, k, ids, top, metric, ef };
        command.SetAction(async (parse, cancellation) =>
        {
            var request = new GetTrustRequest
            {
                Collection = parse.GetValue(collection)!,
                JobId = parse.GetValue(map)!,
                K = parse.GetValue(k),
                Metric = parse.GetValue(metric) == "cosine" ? Metric.Cosine : Metric.Euclidean,
                Ids = { parse.GetValue(ids) ?? [] },
                LeastTrustedFirst = true,
            };
            if (request.Ids.Count == 0) request.Limit = Math.Max(0, parse.GetValue(top));
            if (parse.GetValue(ef) is { } breadth) request.Ef = breadth;
            using var client = global.Connect(parse);
            var response = await client.Neighbors.GetTrustAsync(request, cancellationToken: cancellation);
            var s = response.Summary;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Map of job '{s.JobId}': {s.Points} images, k = {s.K}: mean trust {s.Mean:F3}, median {s.Median:F2}, 10th percentile {s.P10:F2}, 90th percentile {s.P90:F2}."));
            Console.WriteLine("Neighbours kept (of k): " + string.Join("  ", s.Histogram.Select((count, kept) => $"{kept}:{count}")));
            if (response.Images.Count == 0) return 0;
            Console.WriteLine(request.Ids.Count > 0 ? "Trust of the images:" : "Least trusted images:");
            var table = new Table().AddColumns("id", "row", "trust", "labels");
            foreach (var image in response.Images)
                table.AddRow(Markup.Escape(image.Id), image.Row.ToString(CultureInfo.InvariantCulture),
                    float.IsNaN(image.Trust) ? "-" : image.Trust.ToString("F2", CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", image.Labels)));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
