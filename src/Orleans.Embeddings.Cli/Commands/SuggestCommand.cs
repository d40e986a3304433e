using System.CommandLine;
using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings suggest COLLECTION --id ID</c> (or <c>--vector V</c>): labels for an image from the labels of its k
/// nearest neighbours (20 by default), each with the share of the neighbours that carry it.
/// </summary>
public static class SuggestCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection whose labels vote." };
        var ids = new Option<string[]>("--id") { Description = "An image of the collection (repeat for several); it does not vote for itself." };
        var vector = new Option<string?>("--vector") { Description = "A point of the embedding space, its values separated by commas." };
        var k = new Option<int>("-k", "--k") { Description = "Neighbours that vote.", DefaultValueFactory = _ => 20 };
        var metric = new Option<string?>("--metric") { Description = "euclidean or cosine [euclidean]." };
        metric.AcceptOnlyFromAmong("euclidean", "cosine");
        var ef = new Option<int?>("--ef") { Description = "Candidates the index keeps while searching (more: slower, more accurate) [the collection's default]." };
        var exact = new Option<bool>("--exact") { Description = "Brute force instead of the index." };

        var command = new Command("suggest", "Suggest labels for images from their nearest neighbours.") { collection, ids, vector, k, metric, ef, exact };
        command.SetAction(async (parse, cancellation) =>
        {
            var queries = (parse.GetValue(ids) ?? []).Select(id => new NeighborQuery { Id = id }).ToList();
            if (parse.GetValue(vector) is { } text) queries.Add(new NeighborQuery { Vector = NeighborsCommand.ParseVector(text) });
            if (queries.Count == 0) throw new UsageException("give --id or --vector");
            var request = new SuggestLabelsRequest
            {
                Collection = parse.GetValue(collection)!,
                K = parse.GetValue(k),
                Queries = { queries },
                Metric = parse.GetValue(metric) == "cosine" ? Metric.Cosine : Metric.Euclidean,
                Exact = parse.GetValue(exact),
            };
            if (parse.GetValue(ef) is { } breadth) request.Ef = breadth;
            using var client = global.Connect(parse);
            var response = await client.Neighbors.SuggestLabelsAsync(request, cancellationToken: cancellation);
            for (var q = 0; q < queries.Count; q++)
            {
                var result = response.Results[q];
                var subject = queries[q].QueryCase == NeighborQuery.QueryOneofCase.Id ? queries[q].Id : "the vector";
                Console.WriteLine($"Labels for {subject} from {result.Neighbors} neighbours:");
                var table = new Table().AddColumns("label", "share", "neighbours");
                foreach (var share in result.Labels)
                    table.AddRow(Markup.Escape(share.Label), string.Create(CultureInfo.InvariantCulture, $"{share.Share * 100:F0}%"), share.Count.ToString(CultureInfo.InvariantCulture));
                if (result.Labels.Count == 0) Console.WriteLine("  none: the neighbours carry no labels.");
                else AnsiConsole.Write(table);
            }
            return 0;
        });
        return command;
    }
}
