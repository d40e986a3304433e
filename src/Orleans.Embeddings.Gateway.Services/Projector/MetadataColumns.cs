namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// The columns of metadata.tsv: id, label and source, then every metadata key any image has, in ordinal order.
/// With two or more columns the projectors need a header row, and there are always three. A key that repeats a
/// name already taken (an image's own "label", say) gets " (metadata)" appended until it is unique.
/// </summary>
public sealed class MetadataColumns
{
    public const string Id = "id";

    public const string Label = "label";

    public const string Source = "source";

    private MetadataColumns(IReadOnlyList<string> names, IReadOnlyList<string> keys)
    {
        Names = names;
        Keys = keys;
    }

    /// <summary>The header: the fixed columns, then one per metadata key.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The metadata key behind each column after the fixed three.</summary>
    public IReadOnlyList<string> Keys { get; }

    public static MetadataColumns For(IEnumerable<IReadOnlyDictionary<string, string>> metadata)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entries in metadata) keys.UnionWith(entries.Keys);
        var names = new List<string> { Id, Label, Source };
        var taken = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var name = key.Length == 0 ? "(empty)" : key;
            while (!taken.Add(name)) name += " (metadata)";
            names.Add(name);
        }
        return new MetadataColumns(names, [.. keys]);
    }

    /// <summary>One image's fields, in column order, unescaped (empty where the image lacks a key).</summary>
    public string[] Row(ProjectorImage image)
    {
        var row = new string[Names.Count];
        row[0] = image.Id;
        row[1] = string.Join(',', image.Labels);
        row[2] = image.Source;
        for (var k = 0; k < Keys.Count; k++) row[3 + k] = image.Metadata.GetValueOrDefault(Keys[k]) ?? "";
        return row;
    }
}
