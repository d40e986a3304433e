using System.CommandLine;
using System.Globalization;
using Orleans.Embeddings.Api.V1;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings index COLLECTION</c>: the collection's nearest-neighbour index, partition by partition; with
/// <c>--build</c> brought up to date first, and with any setting changed first.
/// </summary>
public static class IndexCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection whose index to show." };
        var metric = new Option<string?>("--metric") { Description = "euclidean or cosine [euclidean]." };
        metric.AcceptOnlyFromAmong("euclidean", "cosine");
        var build = new Option<bool>("--build") { Description = "Embed and insert every image not in the index yet, and time it." };
        var partitionSize = new Option<int>("--partition-size") { Description = "Images per partition (a new value rebuilds the index)." };
        var connectivity = new Option<int>("--connectivity") { Description = "Links per node, HNSW's M (a new value rebuilds the index)." };
        var expansionAdd = new Option<int>("--expansion-add") { Description = "HNSW's ef_construction (a new value rebuilds the index)." };
        var defaultEf = new Option<int>("--default-ef") { Description = "ef of searches that name none." };
        var storage = new Option<string?>("--storage") { Description = "f32 or f16: how the graphs store vectors (a new value rebuilds the index)." };
        storage.AcceptOnlyFromAmong("f32", "f16");

        var command = new Command("index", "Show, configure or build a collection's nearest-neighbour index.")
        {
            collection, metric, build, partitionSize, connectivity, expansionAdd, defaultEf, storage,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var name = parse.GetValue(collection)!;
            using var client = global.Connect(parse);
            var configure = new ConfigureIndexRequest
            {
                Collection = name,
                PartitionSize = parse.GetValue(partitionSize),
                Connectivity = parse.GetValue(connectivity),
                ExpansionAdd = parse.GetValue(expansionAdd),
                DefaultEf = parse.GetValue(defaultEf),
                Storage = parse.GetValue(storage) switch { "f16" => IndexStorage.Float16, "f32" => IndexStorage.Float32, _ => IndexStorage.Unspecified },
            };
            if (configure.PartitionSize != 0 || configure.Connectivity != 0 || configure.ExpansionAdd != 0 || configure.DefaultEf != 0
                || configure.Storage != IndexStorage.Unspecified)
                await client.Neighbors.ConfigureIndexAsync(configure, cancellationToken: cancellation);

            var index = await client.Neighbors.GetIndexAsync(new GetIndexRequest
            {
                Collection = name,
                Metric = parse.GetValue(metric) == "cosine" ? Metric.Cosine : Metric.Euclidean,
                Build = parse.GetValue(build),
            }, cancellationToken: cancellation);
            var s = index.Settings;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Index of '{index.Collection}' ({(index.Metric == Metric.Cosine ? "cosine" : "euclidean")}): {index.Vectors} of {index.Members} images searchable, " +
                $"{index.MemoryBytes / 1048576.0:F1} MiB; partitions of {s.PartitionSize} images, M {s.Connectivity}, ef_construction {s.ExpansionAdd}, default ef {s.DefaultEf}, " +
                $"{(s.Storage == IndexStorage.Float16 ? "float16" : "float32")} vectors."));
            if (parse.GetValue(build)) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Brought up to date in {index.Seconds:F1} s."));
            var table = new Table().AddColumns("partition", "first image", "images", "searchable", "dimensions", "MiB", "saved", "silo");
            foreach (var p in index.Partitions)
                table.AddRow(p.Partition.ToString(CultureInfo.InvariantCulture), p.Start.ToString(CultureInfo.InvariantCulture),
                    p.Rows.ToString(CultureInfo.InvariantCulture), p.Vectors.ToString(CultureInfo.InvariantCulture),
                    p.Dimensions.ToString(CultureInfo.InvariantCulture), (p.MemoryBytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture),
                    p.SavedRows.ToString(CultureInfo.InvariantCulture), Markup.Escape(p.Loaded ? p.Silo : "(not loaded)"));
            if (index.Partitions.Count > 0) AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
