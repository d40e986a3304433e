using System.CommandLine;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Inputs;
using Spectre.Console;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary><c>embeddings ingest COLLECTION PATH</c>: streams local images or vectors into a collection, creating it if need be.</summary>
public static class IngestCommand
{
    /// <summary>Bytes of items in one message, well under the gateway's default 16 MiB limit.</summary>
    private const int MessageBytes = 4 * 1024 * 1024;

    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection; created if it does not exist." };
        var path = new Argument<string>("path")
        {
            Description = "A folder of images, an IDX image file (*-idx3-ubyte[.gz]), a Projector tensors.tsv, or a .npy (N x D, float32 or float64).",
        };
        var labels = new Option<string?>("--labels") { Description = "IDX: the labels file (*-idx1-ubyte[.gz])." };
        var labelNames = new Option<string?>("--label-names") { Description = "IDX: names of labels 0, 1, 2, ... separated by commas." };
        var metadata = new Option<string?>("--metadata") { Description = "tensors.tsv or .npy: the metadata.tsv (default: metadata.tsv beside the vectors)." };
        var provider = new Option<string?>("--provider") { Description = "Provider of a new collection (default: pixels for images, vectors for vectors)." };
        var idPrefix = new Option<string>("--id-prefix") { Description = "Prefix of the ids of numbered rows.", DefaultValueFactory = _ => "" };
        var batch = new Option<int>("--batch") { Description = "Items per message (each message is applied as a whole).", DefaultValueFactory = _ => 500 };
        var limit = new Option<int?>("--limit") { Description = "Ingest only the first N items." };

        var command = new Command("ingest", "Ingest a folder of images, an IDX pair, a Projector TSV pair or a .npy into a collection.")
        {
            collection, path, labels, labelNames, metadata, provider, idPrefix, batch, limit,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var name = parse.GetValue(collection)!;
            var size = parse.GetValue(batch);
            if (size is < 1 or > 4096) throw new UsageException($"--batch: {size} is outside 1 to 4096");
            var most = parse.GetValue(limit);
            if (most is < 1) throw new UsageException($"--limit: {most} must be positive");
            var source = IngestSources.Open(parse.GetValue(path)!, parse.GetValue(labels), parse.GetValue(labelNames), parse.GetValue(metadata), parse.GetValue(idPrefix)!);
            using var client = global.Connect(parse);

            var existing = await client.FindCollection(name, cancellation);
            if (existing is null)
            {
                var created = await client.Collections.CreateCollectionAsync(
                    new CreateCollectionRequest { Name = name, Provider = parse.GetValue(provider) ?? source.Provider }, cancellationToken: cancellation);
                Console.WriteLine($"Created collection '{created.Name}' (provider {created.Provider}).");
            }
            var items = most is { } n ? source.Items().Take(n) : source.Items();
            var total = most is { } m && source.Count is { } c ? Math.Min(m, c) : source.Count ?? most;
            Console.WriteLine($"Ingesting {(total is { } t ? $"{t} items: " : "")}{source.Description}.");
            var response = await Upload(client, name, items, size, total, cancellation);
            Report(name, response);
            return response.Accepted == 0 && response.Rejections.Count > 0 ? CliApplication.Failure : 0;
        });
        return command;
    }

    private static async Task<IngestResponse> Upload(GatewayClient client, string collection, IEnumerable<IngestItem> items, int batchSize,
        int? total, CancellationToken cancellation)
    {
        using var call = client.Collections.Ingest(cancellationToken: cancellation);
        var sent = 0;
        var progress = new Progress(total);
        try
        {
            var message = new IngestRequest { Collection = collection };
            var bytes = 0;
            foreach (var item in items)
            {
                var size = item.CalculateSize();
                if (message.Items.Count > 0 && (message.Items.Count >= batchSize || bytes + size > MessageBytes))
                {
                    await call.RequestStream.WriteAsync(message, cancellation);
                    sent += message.Items.Count;
                    progress.Report(sent);
                    message = new IngestRequest();
                    bytes = 0;
                }
                message.Items.Add(item);
                bytes += size;
            }
            if (message.Items.Count > 0 || sent == 0)
            {
                await call.RequestStream.WriteAsync(message, cancellation);
                sent += message.Items.Count;
                progress.Report(sent);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The gateway ended the call (it refused a message): its status says why and what it had applied.
            await call.ResponseAsync;
            throw;
        }
        return await call.ResponseAsync;
    }

    private static void Report(string collection, IngestResponse response)
    {
        Console.WriteLine($"Collection '{collection}': {response.Accepted} of {response.Received} items accepted " +
            $"({response.Added} added, {response.Updated} updated), {response.Rejections.Count} rejected.");
        const int shown = 20;
        foreach (var rejection in response.Rejections.Take(shown))
            Console.Error.WriteLine($"rejected item {rejection.Index} '{rejection.Id}': {rejection.Reason}");
        if (response.Rejections.Count > shown)
            Console.Error.WriteLine($"... and {response.Rejections.Count - shown} more rejected items.");
    }

    /// <summary>A line per tenth of the way (grey on a terminal).</summary>
    private sealed class Progress(int? total)
    {
        private int lastTenth = -1;

        public void Report(int sent)
        {
            if (total is not { } all || all == 0) return;
            var tenth = (int)(10L * sent / all);
            if (tenth == lastTenth) return;
            lastTenth = tenth;
            if (Console.IsOutputRedirected)
                Console.WriteLine($"sent {sent}/{all} items");
            else
                AnsiConsole.MarkupLine($"[grey]sent {sent}/{all} items[/]");
        }
    }
}
