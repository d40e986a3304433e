namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>
/// A Projector metadata.tsv: one column means one label per row and no header; two or more columns have a header
/// row. A column named "id" gives the ids, one named "label" (or else the first other column) the labels, and the
/// rest become free metadata.
/// </summary>
public sealed class MetadataTsv
{
    private MetadataTsv(string[]? ids, string[] labels, string[] keys, string[][] rows)
    {
        Ids = ids;
        Labels = labels;
        Keys = keys;
        Rows = rows;
    }

    public string[]? Ids { get; }

    public string[] Labels { get; }

    /// <summary>Names of the metadata columns, and each row's values in that order.</summary>
    public string[] Keys { get; }

    public string[][] Rows { get; }

    public int Count => Labels.Length;

    public static MetadataTsv Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new InvalidDataException($"'{path}' is empty.");
        var header = lines[0].Split('\t');
        if (header.Length == 1) return new MetadataTsv(null, lines, [], [.. lines.Select(_ => Array.Empty<string>())]);
        var cells = lines.Skip(1).Select(l => l.Split('\t')).ToArray();
        for (var row = 0; row < cells.Length; row++)
            if (cells[row].Length != header.Length)
                throw new InvalidDataException($"{path}:{row + 2} has {cells[row].Length} columns; the header has {header.Length}.");
        var idColumn = Array.FindIndex(header, h => h.Equals("id", StringComparison.OrdinalIgnoreCase));
        var labelColumn = Array.FindIndex(header, h => h.Equals("label", StringComparison.OrdinalIgnoreCase));
        if (labelColumn < 0) labelColumn = idColumn == 0 ? 1 : 0;
        var rest = Enumerable.Range(0, header.Length).Where(c => c != idColumn && c != labelColumn).ToArray();
        return new MetadataTsv(
            idColumn < 0 ? null : [.. cells.Select(c => c[idColumn])],
            [.. cells.Select(c => c[labelColumn])],
            [.. rest.Select(c => header[c])],
            [.. cells.Select(c => rest.Select(r => c[r]).ToArray())]);
    }

    /// <summary>Labels and metadata of one row onto an item; an empty label means none.</summary>
    public void Describe(Api.V1.IngestItem item, int row)
    {
        if (Labels[row].Length > 0) item.Labels.Add(Labels[row]);
        for (var k = 0; k < Keys.Length; k++)
            if (Rows[row][k].Length > 0) item.Metadata[Keys[k]] = Rows[row][k];
    }
}
