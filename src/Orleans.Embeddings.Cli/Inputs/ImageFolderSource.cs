using Google.Protobuf;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>
/// The image files of a folder and its subfolders. An image's id is its path relative to the folder; one in a
/// subfolder is labelled with the subfolder's name (the usual layout of class folders).
/// </summary>
public sealed class ImageFolderSource(string folder) : IIngestSource
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp" };

    private readonly string[] files = [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .Where(f => Extensions.Contains(Path.GetExtension(f)))
        .Order(StringComparer.Ordinal)];

    public string Description => $"{files.Length} images from {folder}";

    public string Provider => "pixels";

    public int? Count => files.Length;

    public IEnumerable<IngestItem> Items()
    {
        if (files.Length == 0) throw new UsageException($"path: '{folder}' holds no image files ({string.Join(", ", Extensions)})");
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            var item = new IngestItem { Id = relative, Image = ByteString.CopyFrom(File.ReadAllBytes(file)) };
            if (Path.GetDirectoryName(relative) is { Length: > 0 } directory) item.Labels.Add(Path.GetFileName(directory));
            item.Metadata["file"] = relative;
            yield return item;
        }
    }
}
