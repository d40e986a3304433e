namespace Orleans.Embeddings.Tsne;

/// <summary>What the owner of a run hears from <see cref="TsneCoordinator"/> and decides for it.</summary>
public interface ITsneRunHooks
{
    /// <summary>A phase begins (<see cref="TsneCoordinator.Phases"/>, or an optimisation phase's name).</summary>
    void PhaseStarted(string phase);

    /// <summary>
    /// Pass <paramref name="iteration"/> is done (0 to <see cref="TsneOptions.TotalIterations"/>: the last pass only
    /// measures); <paramref name="klDivergence"/> when it was measured.
    /// </summary>
    void Iterated(int iteration, double? klDivergence);

    /// <summary>Whether to checkpoint once <paramref name="iteration"/> iterations are taken.</summary>
    bool ShouldCheckpoint(int iteration);

    /// <summary>Every shard has saved its checkpoint of <paramref name="iteration"/>; the owner records the run's scalars.</summary>
    Task Checkpointed(int iteration, double? klDivergence);
}

/// <summary>A run that is reported nowhere and never checkpoints.</summary>
public sealed class NoRunHooks : ITsneRunHooks
{
    public static NoRunHooks Instance { get; } = new();

    public void PhaseStarted(string phase) { }

    public void Iterated(int iteration, double? klDivergence) { }

    public bool ShouldCheckpoint(int iteration) => false;

    public Task Checkpointed(int iteration, double? klDivergence) => Task.CompletedTask;
}
