using Grpc.Core;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Exports;

/// <summary>Receives the files of an export stream, each written as its chunks arrive into a file that <c>open</c> gives.</summary>
public static class ExportDownload
{
    /// <summary>Every file the gateway sent, with its size, in order.</summary>
    public static async Task<IReadOnlyList<(string Name, long Bytes)>> Receive(GatewayClient client, ExportRequest request,
        Func<string, Stream> open, CancellationToken cancellation)
    {
        using var call = client.Export.ExportJob(request, cancellationToken: cancellation);
        Stream? file = null;
        var written = new List<(string Name, long Bytes)>();
        try
        {
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation))
            {
                // The gateway names plain files; anything else could write outside the folder.
                if (chunk.File != Path.GetFileName(chunk.File) || chunk.File is "" or "." or "..")
                    throw new InvalidDataException($"The gateway sent a file named '{chunk.File}'.");
                file ??= open(chunk.File);
                chunk.Data.WriteTo(file);
                if (!chunk.Last) continue;
                written.Add((chunk.File, file.Length));
                await file.DisposeAsync();
                file = null;
            }
        }
        finally
        {
            if (file is not null) await file.DisposeAsync();
        }
        return written;
    }

    /// <summary>The export's files in memory, by name (for the small map format).</summary>
    public static async Task<Dictionary<string, byte[]>> ReceiveInMemory(GatewayClient client, ExportRequest request, CancellationToken cancellation)
    {
        var streams = new Dictionary<string, MemoryStream>();
        await Receive(client, request, name => streams[name] = new NonClosingMemoryStream(), cancellation);
        return streams.ToDictionary(s => s.Key, s => s.Value.ToArray());
    }

    /// <summary>A memory stream whose bytes outlive the dispose that ends each received file.</summary>
    private sealed class NonClosingMemoryStream : MemoryStream
    {
        protected override void Dispose(bool disposing)
        {
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
