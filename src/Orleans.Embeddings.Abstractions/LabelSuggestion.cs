namespace Orleans.Embeddings;

/// <summary>An image's suggested labels: the labels of its nearest neighbours, most shared first.</summary>
/// <param name="Neighbors">Neighbours the suggestion rests on (k, or fewer in a small collection).</param>
[GenerateSerializer, Immutable]
public sealed record LabelSuggestion(
    [property: Id(0)] int Neighbors,
    [property: Id(1)] LabelShare[] Labels);

/// <summary>A label and how many of the neighbours carry it, as a count and as a share of them.</summary>
[GenerateSerializer, Immutable]
public sealed record LabelShare(
    [property: Id(0)] string Label,
    [property: Id(1)] int Count,
    [property: Id(2)] float Share);
