namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>Files of this repository, found above the test's build output.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration this test runs in, which is also the one its referenced programs were built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Where `dotnet build` put a program of src/.</summary>
    public static string BuiltAssembly(string project, string assembly) =>
        PathOf("src", project, "bin", Configuration, "net10.0", assembly);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.Embeddings.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Orleans.Embeddings.sln) is not above " + AppContext.BaseDirectory);
    }
}
