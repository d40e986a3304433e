using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>docker-compose.yml, read as Compose reads it: aliases resolved, ${VARIABLE:-default} interpolated with no variable set.</summary>
public sealed partial class ComposeFile
{
    private ComposeFile(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public static ComposeFile Load() => new(Yaml.Documents(Repository.PathOf("docker-compose.yml")).Single());

    public IReadOnlyList<string> ServiceNames => [.. Root.Get("services").Entries().Select(e => e.Key)];

    public ComposeService Service(string name) =>
        new(name, Root.Require($"services.{name}") as YamlMappingNode ?? throw new InvalidDataException($"Service '{name}' is not a mapping."));

    /// <summary>Compose's interpolation with an empty environment: ${NAME:-default} and ${NAME-default} give the default, ${NAME} nothing, $$ a dollar.</summary>
    public static string Interpolate(string value) =>
        Interpolation().Replace(value, m => m.Value == "$$" ? "$" : m.Groups["default"].Value);

    [GeneratedRegex(@"\$\$|\$\{(?<name>\w+)(:?-(?<default>[^}]*))?\}|\$(?<name>\w+)")]
    private static partial Regex Interpolation();
}

public sealed record ComposeService(string Name, YamlMappingNode Node)
{
    public string? Image => Node.Get("image").Text();

    public IReadOnlyList<string> Command => Node.Get("command") switch
    {
        YamlSequenceNode words => [.. words.Texts()],
        YamlScalarNode text => [.. (text.Value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)],
        _ => [],
    };

    /// <summary>The service's environment section (mapping or KEY=VALUE list), interpolated.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var environment = Node.Get("environment");
            var pairs = environment is YamlSequenceNode list
                ? list.Texts().Select(item => item.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p.Length > 1 ? p[1] : ""))
                : environment.Entries().Select(e => new KeyValuePair<string, string>(e.Key, e.Value.Text() ?? ""));
            return pairs.ToDictionary(p => p.Key, p => ComposeFile.Interpolate(p.Value), StringComparer.Ordinal);
        }
    }

    /// <summary>The published ports, short syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL].</summary>
    public IReadOnlyList<PublishedPort> Ports => [.. Node.Get("ports").Texts().Select(PublishedPort.Parse)];
}

/// <summary>A published port; an empty <see cref="HostPort"/> lets Docker pick one, so replicas never collide.</summary>
public sealed record PublishedPort(string? HostIp, string HostPort, int ContainerPort)
{
    public static PublishedPort Parse(string text)
    {
        var parts = text.Split('/')[0].Split(':');
        var container = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        return parts.Length switch
        {
            1 => new PublishedPort(null, "", container),
            2 => new PublishedPort(null, parts[0], container),
            3 => new PublishedPort(parts[0], parts[1], container),
            _ => throw new InvalidDataException($"'{text}' is not a port of the short syntax."),
        };
    }
}
