using System.IO.Compression;

namespace Orleans.Embeddings.Cli.Exports;

/// <summary>Unpacks the gateway's projector.zip into the export folder.</summary>
public static class ProjectorFolder
{
    /// <summary>The files unpacked, with their sizes. Every entry must land inside <paramref name="folder"/>.</summary>
    public static IReadOnlyList<(string Path, long Bytes)> Extract(string zipPath, string folder)
    {
        var root = Path.GetFullPath(folder) + Path.DirectorySeparatorChar;
        using var archive = ZipFile.OpenRead(zipPath);
        var files = new List<(string Path, long Bytes)>();
        foreach (var entry in archive.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            if (Path.IsPathRooted(entry.FullName) || !target.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidDataException($"The archive's entry '{entry.FullName}' lies outside the export folder.");
            if (entry.FullName.EndsWith('/')) continue;
            files.Add((target, entry.Length));
        }
        Directory.CreateDirectory(root);
        archive.ExtractToDirectory(root, overwriteFiles: true);
        return files;
    }
}
