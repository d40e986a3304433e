namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// The names of the files of a Projector export, all plain names in one folder: every path the configs name is
/// relative to the folder and inside it, which both TensorBoard's projector plugin and the standalone projector need.
/// </summary>
public static class ProjectorFiles
{
    /// <summary>TensorBoard's projector plugin reads this from the log directory (text protobuf).</summary>
    public const string ConfigText = "projector_config.pbtxt";

    /// <summary>The standalone Embedding Projector reads this (its <c>?config=</c> parameter names it).</summary>
    public const string ConfigJson = "projector_config.json";

    /// <summary>The collection's vectors, N x D: one row of tab-separated floats per image.</summary>
    public const string VectorsTsv = "tensors.tsv";

    /// <summary>The same vectors as raw little-endian float32, row-major.</summary>
    public const string VectorsBytes = "tensors.bytes";

    /// <summary>The job's map, N x 2 or 3.</summary>
    public const string MapTsv = "map.tsv";

    public const string MapBytes = "map.bytes";

    public const string Metadata = "metadata.tsv";

    public const string Sprite = "sprite.png";

    /// <summary>The bookmarks (saved states) of the vectors' embedding.</summary>
    public const string VectorsBookmarks = "bookmarks.txt";

    /// <summary>The bookmarks of the map's embedding: the same layout, with the map's own dimensions.</summary>
    public const string MapBookmarks = "map-bookmarks.txt";

    /// <summary>The name of the folder zipped into one file, as the gateway streams it.</summary>
    public const string Archive = "projector.zip";
}
