namespace Orleans.Embeddings;

/// <summary>
/// Checks a job before it starts, against the engine's own rules and the collection's size, so that bad
/// parameters are refused at once rather than failing the job later. A stateless worker.
/// </summary>
public interface ITsneJobValidationGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> whose message starts with the offending field
    /// ("parameters.perplexity: ..."), a <see cref="KeyNotFoundException"/> for a missing collection, or an
    /// <see cref="InvalidOperationException"/> for a collection too small to map.
    /// </summary>
    Task Validate(TsneJobSpec spec);
}
