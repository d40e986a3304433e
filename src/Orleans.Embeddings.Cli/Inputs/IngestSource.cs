using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>Items to ingest, read lazily from local files.</summary>
public interface IIngestSource
{
    /// <summary>What is read, in words.</summary>
    string Description { get; }

    /// <summary>The provider a new collection gets for these items.</summary>
    string Provider { get; }

    /// <summary>Number of items, when known before reading them.</summary>
    int? Count { get; }

    IEnumerable<IngestItem> Items();
}

/// <summary>Chooses the reader for a path: a folder of images, an IDX image file, a Projector tensors.tsv, or a .npy.</summary>
public static class IngestSources
{
    public static IIngestSource Open(string path, string? labels, string? labelNames, string? metadata, string idPrefix)
    {
        if (Directory.Exists(path)) return new ImageFolderSource(path);
        if (!File.Exists(path)) throw new UsageException($"path: '{path}' is neither a folder nor a file");
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            return new NpySource(path, MetadataFor(path, metadata), idPrefix);
        if (IdxFile.IsIdx(path))
            return new IdxSource(path, labels, labelNames?.Split(',', StringSplitOptions.TrimEntries), idPrefix);
        if (path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
            return new ProjectorTsvSource(path, MetadataFor(path, metadata), idPrefix);
        throw new UsageException($"path: cannot tell what '{path}' holds; give a folder of images, an IDX file (-idx3-ubyte), a tensors.tsv or a .npy");
    }

    /// <summary>The metadata file named, or metadata.tsv beside the vectors (the Projector's pair), or none.</summary>
    private static string? MetadataFor(string vectors, string? metadata)
    {
        if (metadata is not null)
            return File.Exists(metadata) ? metadata : throw new UsageException($"--metadata: '{metadata}' does not exist");
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vectors))!, "metadata.tsv");
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>Ids "prefix" + row number, zero-padded to the width of the count so that they sort in order.</summary>
    public static string RowId(string prefix, int row, int count) => prefix + row.ToString($"D{Math.Max(1, count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)}", System.Globalization.CultureInfo.InvariantCulture);
}
