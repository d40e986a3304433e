using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Gateway.Services.Exports;

/// <summary>One file of an export streamed as chunks of at most <see cref="ChunkBytes"/>; its last chunk carries the flag.</summary>
internal sealed class ChunkedFile(string name, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation)
{
    /// <summary>Largest chunk of a file in one message.</summary>
    public const int ChunkBytes = 1 << 20;

    private readonly StringBuilder text = new();

    public StringBuilder Text => text;

    /// <summary>Sends what has piled up once it nears a chunk (the text is ASCII here, one byte a character).</summary>
    public Task FlushIfFull() => text.Length >= ChunkBytes - 64 * 1024 ? Flush(last: false) : Task.CompletedTask;

    public Task Close() => Flush(last: true);

    private async Task Flush(bool last)
    {
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        text.Clear();
        await Send(name, bytes, stream, cancellation, last);
    }

    /// <summary>Sends bytes as chunks; with <paramref name="last"/>, the final chunk (an empty one for no bytes) ends the file.</summary>
    public static async Task Send(string name, byte[] bytes, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation, bool last = true)
    {
        for (var at = 0; at < bytes.Length || (at == 0 && last); at += ChunkBytes)
        {
            var length = Math.Min(ChunkBytes, bytes.Length - at);
            var final = last && at + length >= bytes.Length;
            await stream.WriteAsync(new ExportChunk { File = name, Data = ByteString.CopyFrom(bytes, at, length), Last = final }, cancellation);
            if (final) return;
        }
    }

    /// <summary>Sends a file from disk as chunks, reading one chunk at a time.</summary>
    public static async Task SendFile(string name, string path, IServerStreamWriter<ExportChunk> stream, CancellationToken cancellation)
    {
        await using var file = File.OpenRead(path);
        var buffer = new byte[ChunkBytes];
        var remaining = file.Length;
        do
        {
            var read = await file.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, remaining), throwOnEndOfStream: true, cancellation);
            remaining -= read;
            await stream.WriteAsync(new ExportChunk { File = name, Data = ByteString.CopyFrom(buffer, 0, read), Last = remaining == 0 }, cancellation);
        }
        while (remaining > 0);
    }
}
