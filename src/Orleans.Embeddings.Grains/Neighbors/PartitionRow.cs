namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>One row to append to an index partition: its id, labels and vector (null when the image has no embedding).</summary>
public readonly record struct PartitionRow(string Id, string[] Labels, float[]? Vector);
