namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>The body of a model outputs request: up to 128 inputs, each with an id the response echoes.</summary>
public sealed record ClarifaiRequest(IReadOnlyList<ClarifaiRequestInput> Inputs);

public sealed record ClarifaiRequestInput(string Id, ClarifaiInputData Data);

public sealed record ClarifaiInputData(ClarifaiImageData Image);

/// <summary>An image by address (Clarifai downloads it) or by content; System.Text.Json writes the bytes as base64.</summary>
public sealed record ClarifaiImageData(string? Url = null, byte[]? Base64 = null);
