namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// The rule for every path a Projector config names: relative, with '/' between parts, and resolving inside the
/// config's folder. The projectors resolve paths against the config's folder (TensorBoard) or the page
/// (standalone), so anything else would point outside the export or nowhere.
/// </summary>
public static class ProjectorPath
{
    /// <summary>Why <paramref name="path"/> is not a path inside the folder, or null if it is one.</summary>
    public static string? Problem(string path)
    {
        if (string.IsNullOrEmpty(path)) return "is empty";
        if (path.Contains('\\')) return $"'{path}' uses '\\'; paths use '/'";
        if (path.StartsWith('/') || Path.IsPathRooted(path) || path.Contains(':')) return $"'{path}' is not relative";
        if (path.Any(char.IsControl) || path.Contains('"')) return $"'{path}' holds a control character or a quote";
        foreach (var part in path.Split('/'))
            if (part is "" or "." or "..") return $"'{path}' has an empty, '.' or '..' part";
        return null;
    }

    /// <summary>The full path of <paramref name="relative"/> in <paramref name="folder"/>, checked to be inside it.</summary>
    public static string Resolve(string folder, string relative)
    {
        if (Problem(relative) is { } problem) throw new ArgumentException($"The path {problem}.", nameof(relative));
        var root = Path.GetFullPath(folder);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"The path '{relative}' resolves outside '{root}'.", nameof(relative));
    }
}
