using System.Xml.Linq;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>The programs the Dockerfile publishes, and where each one's assembly lies in the image.</summary>
public static class ImagePrograms
{
    /// <summary>Where the final stage puts the build stage's publish outputs.</summary>
    public const string BuildOutput = "/out/";

    public const string AppDirectory = "/app/";

    /// <summary>Each published project (path as in the Dockerfile) with its assembly's path in the image.</summary>
    public static IReadOnlyDictionary<string, string> AssembliesInImage(Dockerfile dockerfile) =>
        Dockerfile.Publishes(dockerfile.Stages[0]).ToDictionary(
            p => p.Project,
            p => AppDirectory + p.Output[BuildOutput.Length..].TrimEnd('/') + "/" + AssemblyName(p.Project) + ".dll",
            StringComparer.Ordinal);

    /// <summary>A project's assembly name: its AssemblyName property, or the project file's name.</summary>
    public static string AssemblyName(string project)
    {
        var path = Repository.PathOf(project);
        var declared = XDocument.Load(path).Descendants("AssemblyName").Select(e => e.Value).LastOrDefault();
        return declared is { Length: > 0 } ? declared : Path.GetFileNameWithoutExtension(path);
    }
}
