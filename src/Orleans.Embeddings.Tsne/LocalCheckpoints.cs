using Orleans.Embeddings.Tsne.Optimization;

namespace Orleans.Embeddings.Tsne;

/// <summary>Checkpoints of <see cref="LocalShards"/> in memory: each shard's rows and optimiser state by iteration.</summary>
public sealed class LocalCheckpoints
{
    private readonly Dictionary<(int Shard, int Iteration), (float[] Rows, GradientDescent State)> saved = [];

    public void Save(int shard, int iteration, float[] rows, GradientDescent state)
    {
        lock (saved) saved[(shard, iteration)] = (rows, state);
    }

    public bool TryGet(int shard, int iteration, out (float[] Rows, GradientDescent State) checkpoint)
    {
        lock (saved) return saved.TryGetValue((shard, iteration), out checkpoint);
    }
}
