namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>What a Projector export says about the job it comes from.</summary>
/// <param name="Points">N: the images, in the job's point order.</param>
/// <param name="Dimensions">D: the width of the collection's vectors.</param>
/// <param name="MapDimensions">The map's width, 1 to 3.</param>
/// <param name="Iterations">Iterations the map went through.</param>
/// <param name="Perplexity">The job's perplexity, when known.</param>
/// <param name="LearningRate">The job's learning rate, when known.</param>
public sealed record ProjectorJob(
    string JobId,
    string Collection,
    int Points,
    int Dimensions,
    int MapDimensions,
    int Iterations,
    double? Perplexity = null,
    double? LearningRate = null);
