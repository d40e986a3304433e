using YamlDotNet.RepresentationModel;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>Navigation over YamlDotNet's representation model, whose aliases are already resolved to their anchors' nodes.</summary>
public static class Yaml
{
    /// <summary>Every non-empty document of a file.</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    public static YamlNode? Get(this YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The node at a dotted path ("spec.template.spec"), or a failure that names the path.</summary>
    public static YamlNode Require(this YamlNode node, string path)
    {
        var current = node;
        foreach (var key in path.Split('.'))
            current = current.Get(key) ?? throw new KeyNotFoundException($"'{path}' is missing (no '{key}').");
        return current;
    }

    public static string? Text(this YamlNode? node) => (node as YamlScalarNode)?.Value;

    public static string RequireText(this YamlNode node, string path) =>
        node.Require(path).Text() ?? throw new InvalidDataException($"'{path}' is not a scalar.");

    public static int RequireInt(this YamlNode node, string path) => int.Parse(node.RequireText(path), System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    public static IReadOnlyList<string> Texts(this YamlNode? node) => [.. node.Items().Select(item => item.Text() ?? "")];

    public static IReadOnlyList<KeyValuePair<string, YamlNode>> Entries(this YamlNode? node) =>
        node is YamlMappingNode mapping ? [.. mapping.Children.Select(e => new KeyValuePair<string, YamlNode>(e.Key.Text() ?? "", e.Value))] : [];

    /// <summary>A mapping of scalars as a dictionary (labels, selectors, a ConfigMap's data).</summary>
    public static IReadOnlyDictionary<string, string> Strings(this YamlNode? node) =>
        node.Entries().ToDictionary(e => e.Key, e => e.Value.Text() ?? "", StringComparer.Ordinal);
}
