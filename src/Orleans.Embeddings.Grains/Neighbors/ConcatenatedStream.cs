namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>Reads one stream to its end, then the next: a snapshot's rows followed by its graph file, without copying either.</summary>
internal sealed class ConcatenatedStream(Stream first, Stream second) : Stream
{
    private bool firstDone;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!firstDone)
        {
            var read = first.Read(buffer);
            if (read > 0) return read;
            firstDone = true;
        }
        return second.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!firstDone)
        {
            var read = await first.ReadAsync(buffer, cancellationToken);
            if (read > 0) return read;
            firstDone = true;
        }
        return await second.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
