using System.CommandLine;
using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary><c>embeddings neighbors COLLECTION --id ID</c> or <c>--vector V</c>: the k nearest images, in the embedding space or on a map.</summary>
public static class NeighborsCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection to search." };
        var ids = new Option<string[]>("--id") { Description = "An image of the collection (repeat for a batch); it is left out of its own neighbours." };
        var vector = new Option<string?>("--vector") { Description = "A query point, its values separated by commas." };
        var k = new Option<int>("-k", "--k") { Description = "Neighbours to return.", DefaultValueFactory = _ => 10 };
        var map = new Option<string?>("--map") { Description = "Search the map of this completed job instead of the embedding space." };
        var labels = new Option<string[]>("--label") { Description = "Only images with this label (repeat for any of several)." };
        var metric = new Option<string?>("--metric") { Description = "euclidean or cosine [euclidean]." };
        metric.AcceptOnlyFromAmong("euclidean", "cosine");
        var ef = new Option<int?>("--ef") { Description = "Candidates the index keeps while searching (more: slower, more accurate) [the collection's default]." };
        var exact = new Option<bool>("--exact") { Description = "Brute force instead of the index." };

        var command = new Command("neighbors", "Find the nearest images of an image or a vector.") { collection, ids, vector, k, map, labels, metric, ef, exact };
        command.SetAction(async (parse, cancellation) =>
        {
            var queries = (parse.GetValue(ids) ?? []).Select(id => new NeighborQuery { Id = id }).ToList();
            if (parse.GetValue(vector) is { } text) queries.Add(new NeighborQuery { Vector = ParseVector(text) });
            if (queries.Count == 0) throw new UsageException("give --id or --vector");
            var request = new SearchBatchRequest
            {
                Collection = parse.GetValue(collection)!,
                K = parse.GetValue(k),
                Queries = { queries },
                Labels = { parse.GetValue(labels) ?? [] },
                Metric = parse.GetValue(metric) == "cosine" ? Metric.Cosine : Metric.Euclidean,
                Exact = parse.GetValue(exact),
            };
            if (parse.GetValue(ef) is { } breadth) request.Ef = breadth;
            if (parse.GetValue(map) is { } job)
            {
                request.Space = Space.Map;
                request.JobId = job;
            }
            using var client = global.Connect(parse);
            var response = await client.Neighbors.SearchBatchAsync(request, cancellationToken: cancellation);
            for (var q = 0; q < queries.Count; q++)
            {
                var title = queries[q].QueryCase == NeighborQuery.QueryOneofCase.Id ? $"neighbours of {queries[q].Id}" : "neighbours of the vector";
                var table = new Table { Title = new TableTitle(Markup.Escape(title)) }.AddColumns("#", "id", "distance", "labels");
                var rank = 0;
                foreach (var neighbor in response.Results[q].Neighbors)
                    table.AddRow((++rank).ToString(CultureInfo.InvariantCulture), Markup.Escape(neighbor.Id),
                        neighbor.Distance.ToString("G6", CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", neighbor.Labels)));
                AnsiConsole.Write(table);
            }
            return 0;
        });
        return command;
    }

    internal static Vector ParseVector(string text)
    {
        var vector = new Vector();
        foreach (var cell in text.Split(',', StringSplitOptions.TrimEntries))
            vector.Values.Add(float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new UsageException($"--vector: '{cell}' is not a number"));
        return vector;
    }
}
