using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Inputs;

/// <summary>
/// An IDX image file (and optionally its labels file) as vectors: each image's pixels scaled to [0, 1], exactly
/// what the pixels provider makes of an IDX record, sent to a collection with the vectors provider.
/// </summary>
public sealed class IdxSource : IIngestSource
{
    private readonly IdxFile images;
    private readonly byte[]? labels;
    private readonly string[]? names;
    private readonly string idPrefix;
    private readonly string path;

    public IdxSource(string path, string? labelsPath, string[]? names, string idPrefix)
    {
        this.path = path;
        images = IdxFile.Read(path, rank: 3);
        if (labelsPath is not null)
        {
            if (!File.Exists(labelsPath)) throw new UsageException($"--labels: '{labelsPath}' does not exist");
            labels = IdxFile.Read(labelsPath, rank: 1).Values;
            if (labels.Length != images.Count)
                throw new InvalidDataException($"'{labelsPath}' holds {labels.Length} labels for the {images.Count} images of '{path}'.");
            if (names is not null && labels.Length > 0 && labels.Max() is var largest && largest >= names.Length)
                throw new UsageException($"--label-names: {names.Length} names, but the labels go up to {largest}");
        }
        else if (names is not null)
        {
            throw new UsageException("--label-names: needs --labels");
        }
        this.names = names;
        this.idPrefix = idPrefix;
    }

    public string Description => $"{images.Count} IDX images of {string.Join('x', images.ItemShape)} from {Path.GetFileName(path)}";

    public string Provider => "vectors";

    public int? Count => images.Count;

    public IEnumerable<IngestItem> Items()
    {
        var size = images.ItemSize;
        for (var i = 0; i < images.Count; i++)
        {
            var vector = new Vector();
            var pixels = images.Values.AsSpan(i * size, size);
            var values = new float[size];
            for (var p = 0; p < size; p++) values[p] = pixels[p] / 255f;
            vector.Values.Add(values);
            var item = new IngestItem { Id = IngestSources.RowId(idPrefix, i, images.Count), Vector = vector };
            if (labels is not null) item.Labels.Add(names is null ? labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : names[labels[i]]);
            yield return item;
        }
    }
}
