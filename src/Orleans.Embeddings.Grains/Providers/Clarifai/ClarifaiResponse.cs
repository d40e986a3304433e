namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// The body of a model outputs response. Only what the provider reads is declared: the echoed input data (which may
/// repeat every image's base64) is skipped while parsing.
/// </summary>
public sealed record ClarifaiResponse
{
    public ClarifaiStatus? Status { get; init; }

    public IReadOnlyList<ClarifaiOutput>? Outputs { get; init; }
}

/// <summary>One input's result; it names its input by <see cref="Input"/>, and the outputs may come in any order.</summary>
public sealed record ClarifaiOutput
{
    public string? Id { get; init; }

    public ClarifaiStatus? Status { get; init; }

    public ClarifaiOutputInput? Input { get; init; }

    public ClarifaiOutputData? Data { get; init; }
}

public sealed record ClarifaiOutputInput
{
    public string? Id { get; init; }
}

public sealed record ClarifaiOutputData
{
    public IReadOnlyList<ClarifaiEmbeddingData>? Embeddings { get; init; }
}

public sealed record ClarifaiEmbeddingData
{
    public float[]? Vector { get; init; }

    public int NumDimensions { get; init; }
}

/// <summary>Just the top-level status of a response, read without materialising its outputs.</summary>
public sealed record ClarifaiStatusEnvelope
{
    public ClarifaiStatus? Status { get; init; }
}
