namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>One embedding of a Projector config: a tensor with its shape, metadata, sprite and bookmarks.</summary>
/// <param name="TensorName">The name the projectors list it under; unique within a config.</param>
/// <param name="TensorPath">The tensor file, relative to the config's folder (.tsv, or .bytes with the shape).</param>
/// <param name="Sprite">The sprite, or null when the images have no thumbnails.</param>
public sealed record ProjectorEmbedding(
    string TensorName,
    string TensorPath,
    int Rows,
    int Columns,
    string MetadataPath,
    ProjectorSprite? Sprite,
    string BookmarksPath)
{
    /// <summary>Every path the embedding names, for checking that each stays inside the folder.</summary>
    public IEnumerable<string> Paths =>
        Sprite is null ? [TensorPath, MetadataPath, BookmarksPath] : [TensorPath, MetadataPath, Sprite.ImagePath, BookmarksPath];

    /// <summary>The same embedding read from another form of its tensor (the .bytes beside the .tsv).</summary>
    public ProjectorEmbedding WithTensor(string path) => this with { TensorPath = path };

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TensorName)) throw new ArgumentException("An embedding needs a tensor name.");
        if (Rows < 1 || Columns < 1) throw new ArgumentException($"Tensor '{TensorName}' has the shape {Rows} x {Columns}.");
        foreach (var path in Paths)
            if (ProjectorPath.Problem(path) is { } problem) throw new ArgumentException($"Tensor '{TensorName}': the path {problem}.");
    }
}
