namespace Orleans.Embeddings.Benchmarks;

/// <summary>An IProgress that reports on the caller's thread, so progress lines print in order.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
