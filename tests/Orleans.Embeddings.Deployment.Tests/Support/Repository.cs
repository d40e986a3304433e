using Orleans.Embeddings.ProcessCluster;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>Files of this repository, found above the test's build output.</summary>
public static class Repository
{
    public static string Root { get; } = BuiltProject.RepositoryRoot();

    /// <summary>The build configuration this test runs in, which is also the one its referenced programs were built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Where `dotnet build` put a program of src/.</summary>
    public static string BuiltAssembly(string project, string assembly) =>
        PathOf("src", project, "bin", Configuration, "net10.0", assembly);
}
