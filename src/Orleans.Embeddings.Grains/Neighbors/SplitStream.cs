namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>Writes its first <paramref name="firstLength"/> bytes to one stream and the rest to another: a snapshot read back into its rows and its graph file.</summary>
internal sealed class SplitStream(Stream first, long firstLength, Stream second) : Stream
{
    private long written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var head = (int)Math.Clamp(firstLength - written, 0, buffer.Length);
        if (head > 0) first.Write(buffer[..head]);
        if (head < buffer.Length) second.Write(buffer[head..]);
        written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var head = (int)Math.Clamp(firstLength - written, 0, buffer.Length);
        if (head > 0) await first.WriteAsync(buffer[..head], cancellationToken);
        if (head < buffer.Length) await second.WriteAsync(buffer[head..], cancellationToken);
        written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        first.Flush();
        second.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
