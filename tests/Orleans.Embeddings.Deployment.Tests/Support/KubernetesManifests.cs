using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>Every manifest under k8s/ and the kustomization that assembles them.</summary>
public sealed partial class KubernetesManifests
{
    public const string KustomizationFile = "kustomization.yaml";

    /// <summary>What the downward API gives a pod, for resolving the manifests' environments.</summary>
    public static IReadOnlyDictionary<string, string> SamplePodFields { get; } = new Dictionary<string, string>
    {
        ["metadata.name"] = "silo-6f9c8d7b5-q2x7w",
        ["metadata.namespace"] = "orleans-embeddings",
        ["status.podIP"] = "10.244.1.7",
    };

    private KubernetesManifests(YamlMappingNode kustomization, IReadOnlyList<Manifest> manifests)
    {
        Kustomization = kustomization;
        All = manifests;
    }

    public YamlMappingNode Kustomization { get; }

    public IReadOnlyList<Manifest> All { get; }

    public static string Directory => Repository.PathOf("k8s");

    /// <summary>The YAML files of k8s/ other than the kustomization, by file name.</summary>
    public static IReadOnlyList<string> ManifestFiles =>
        [.. System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).OfType<string>()
            .Where(f => (f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)) && f != KustomizationFile)
            .Order(StringComparer.Ordinal)];

    public static KubernetesManifests Load() => new(
        Yaml.Documents(Path.Combine(Directory, KustomizationFile)).Single(),
        [.. ManifestFiles.SelectMany(file => Yaml.Documents(Path.Combine(Directory, file)).Select(node => new Manifest(file, node)))]);

    public Manifest Single(string kind, string name) => All.Single(m => m.Kind == kind && m.Name == name);

    public IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    /// <summary>
    /// A container's environment as the kubelet builds it: the ConfigMaps of envFrom, then env in order, values
    /// from the downward API (<see cref="SamplePodFields"/>) and $(NAME) references to variables defined before.
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(YamlNode container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.Get("envFrom").Items())
        {
            var name = source.RequireText("configMapRef.name");
            foreach (var (key, value) in Single("ConfigMap", name).Node.Get("data").Strings())
                environment[key] = value;
        }
        foreach (var variable in container.Get("env").Items())
        {
            var name = variable.RequireText("name");
            if (variable.Get("value") is { } value)
                environment[name] = Reference().Replace(value.Text() ?? "", m =>
                    environment.TryGetValue(m.Groups[1].Value, out var defined) ? defined : m.Value);
            else
                environment[name] = SamplePodFields[variable.RequireText("valueFrom.fieldRef.fieldPath")];
        }
        return environment;
    }

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex Reference();
}

public sealed record Manifest(string File, YamlMappingNode Node)
{
    public string Kind => Node.RequireText("kind");

    public string Name => Node.RequireText("metadata.name");

    public string? Namespace => Node.Get("metadata").Get("namespace").Text();

    /// <summary>The pod template's single container (the workloads here run one each).</summary>
    public YamlNode Container => Node.Require("spec.template.spec.containers").Items().Single();

    public IReadOnlyDictionary<string, string> PodLabels => Node.Require("spec.template.metadata.labels").Strings();

    /// <summary>The container's ports by name.</summary>
    public IReadOnlyDictionary<string, int> ContainerPorts => Container.Get("ports").Items()
        .ToDictionary(p => p.RequireText("name"), p => p.RequireInt("containerPort"), StringComparer.Ordinal);
}
