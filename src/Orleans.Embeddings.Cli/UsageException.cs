namespace Orleans.Embeddings.Cli;

/// <summary>A command line that asks for something impossible; reported as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
