namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>The sprite of an embedding: the image and the size of one thumbnail's cell.</summary>
public sealed record ProjectorSprite(string ImagePath, int Width, int Height);
