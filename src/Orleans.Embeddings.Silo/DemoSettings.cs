namespace Orleans.Embeddings.Silo;

/// <summary>The <c>Embeddings:Demo</c> configuration section.</summary>
public sealed class DemoSettings
{
    public const string Section = "Embeddings:Demo";

    /// <summary>Whether the host loads the Fashion-MNIST collection and computes its map at start.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Folder of the Fashion-MNIST IDX files, relative to the working directory; empty means the copy that the build
    /// puts beside the executable.
    /// </summary>
    public string? Directory { get; set; }
}
