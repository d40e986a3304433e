namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>A failure USearch reported (out of memory, a corrupt file): the index's fault, never the request's.</summary>
public sealed class UsearchException(string message) : Exception(message);
