using System.Text;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>Writes metadata.tsv: the header row, then one row per image in tensor order, every field escaped.</summary>
public static class MetadataWriter
{
    public static void Write(string path, IReadOnlyList<ProjectorImage> images)
    {
        var columns = MetadataColumns.For(images.Select(i => i.Metadata));
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(Line(columns.Names));
        foreach (var image in images) writer.WriteLine(Line(columns.Row(image)));
    }

    private static string Line(IEnumerable<string> fields) => string.Join('\t', fields.Select(TsvField.Escape));
}
