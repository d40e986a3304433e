namespace Orleans.Embeddings.Tsne.Affinities;

/// <summary>One conditional probability on its way to the shard that owns <see cref="Row"/>.</summary>
public readonly record struct AffinityEntry(int Row, int Column, float Value);
