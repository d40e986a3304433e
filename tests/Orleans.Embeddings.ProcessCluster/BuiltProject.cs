namespace Orleans.Embeddings.ProcessCluster;

/// <summary>The build output of a project of this repository, to start as a process, in the configuration of the caller's build.</summary>
public static class BuiltProject
{
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.Embeddings.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Orleans.Embeddings.sln) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Path of <paramref name="assembly"/> in src/<paramref name="project"/>'s build output.</summary>
    public static string Assembly(string project, string assembly)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepositoryRoot(), "src", project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build src/{project} first.", path);
    }
}
