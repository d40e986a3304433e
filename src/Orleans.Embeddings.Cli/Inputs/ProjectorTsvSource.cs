using System.Globalization;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>The Embedding Projector's pair: tensors.tsv (tab-separated floats, no header) and metadata.tsv.</summary>
public sealed class ProjectorTsvSource(string path, string? metadataPath, string idPrefix) : IIngestSource
{
    private readonly MetadataTsv? metadata = metadataPath is null ? null : MetadataTsv.Read(metadataPath);

    private readonly int count = File.ReadLines(path).Count(l => l.Length > 0);

    public string Description => $"{count} vectors from {Path.GetFileName(path)}" + (metadataPath is null ? "" : $" with {Path.GetFileName(metadataPath)}");

    public string Provider => "vectors";

    public int? Count => count;

    public IEnumerable<IngestItem> Items()
    {
        if (metadata is not null && metadata.Count != count)
            throw new InvalidDataException($"'{metadataPath}' describes {metadata.Count} rows, but '{path}' has {count}.");
        var row = 0;
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            var vector = new Vector();
            foreach (var cell in text.Split('\t'))
                vector.Values.Add(float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new InvalidDataException($"{path}:{line}: '{cell}' is not a number."));
            var item = new IngestItem { Id = metadata?.Ids?[row] ?? IngestSources.RowId(idPrefix, row, count), Vector = vector };
            metadata?.Describe(item, row);
            row++;
            yield return item;
        }
    }
}
