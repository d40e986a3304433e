using System.IO.Compression;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>A Projector export folder as one zip, its files at the archive's root, and back.</summary>
public static class ProjectorArchive
{
    public static void Create(string folder, string zipPath) =>
        ZipFile.CreateFromDirectory(folder, zipPath, CompressionLevel.Fastest, includeBaseDirectory: false);

    /// <summary>
    /// Unpacks an archive into <paramref name="folder"/>. Every entry must be a plain path inside the folder
    /// (<see cref="ProjectorPath"/>): an entry that would land elsewhere fails the whole extraction before any file is written.
    /// </summary>
    public static void Extract(Stream zip, string folder)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
            if (ProjectorPath.Problem(entry.FullName.TrimEnd('/')) is { } problem)
                throw new InvalidDataException($"The archive's entry {problem}.");
        archive.ExtractToDirectory(folder, overwriteFiles: true);
    }
}
