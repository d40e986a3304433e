namespace Orleans.Embeddings;

/// <summary>Where an image's pixels come from.</summary>
public enum ImageSourceKind
{
    /// <summary>A file on the silo's file system (PNG, JPEG, ...).</summary>
    File,
    /// <summary>An http(s) address; remote embedders fetch it themselves.</summary>
    Url,
    /// <summary>Encoded image bytes carried in <see cref="ImageSource.Bytes"/>.</summary>
    Inline,
    /// <summary>Record <see cref="ImageSource.Index"/> of an IDX image file (MNIST, Fashion-MNIST) at <see cref="ImageSource.Location"/>.</summary>
    IdxRecord,
    /// <summary>Row <see cref="ImageSource.Index"/> of a vector file (Projector tensors.tsv, or float32 .npy) at <see cref="ImageSource.Location"/>.</summary>
    VectorRow,
    /// <summary>An embedding computed elsewhere, carried in <see cref="ImageSource.Bytes"/> as little-endian float32.</summary>
    Vector,
}

/// <summary>An image's origin: enough for an embedding provider to produce its vector.</summary>
[GenerateSerializer, Immutable]
public sealed record ImageSource(
    [property: Id(0)] ImageSourceKind Kind,
    [property: Id(1)] string? Location = null,
    [property: Id(2)] int Index = 0,
    [property: Id(3)] byte[]? Bytes = null)
{
    public override string ToString() => Kind switch
    {
        ImageSourceKind.Inline => $"inline ({Bytes?.Length ?? 0} bytes)",
        ImageSourceKind.IdxRecord or ImageSourceKind.VectorRow => $"{Location}#{Index}",
        ImageSourceKind.Vector => $"vector ({(Bytes?.Length ?? 0) / sizeof(float)} values)",
        _ => Location ?? Kind.ToString(),
    };
}
