namespace Orleans.Embeddings.Tsne;

/// <summary>How the input space measures distance between points.</summary>
public enum DistanceMetric
{
    Euclidean,
    /// <summary>1 - cosine similarity: rows are scaled to unit length, after which it ranks like Euclidean.</summary>
    Cosine,
}

/// <summary>How the k nearest neighbours of every point are found.</summary>
public enum NeighborMethod
{
    /// <summary>Exact while the all-pairs work is affordable, approximate (random-projection forests) beyond.</summary>
    Auto,
    /// <summary>Blocked all-pairs distances with SIMD: exact, and the same whatever the shard count.</summary>
    Exact,
    /// <summary>A random-projection forest per shard, whose leaves every shard's rows are measured against exactly.</summary>
    Approximate,
}

/// <summary>How the repulsive term of the gradient is approximated.</summary>
public enum RepulsionMethod
{
    /// <summary>FFT interpolation for 1-D and 2-D maps of more than a few thousand points, Barnes-Hut otherwise.</summary>
    Auto,
    /// <summary>FFT-accelerated interpolation (Linderman et al. 2019); 1-D and 2-D maps.</summary>
    Fft,
    /// <summary>Barnes-Hut space-partitioning tree with opening angle theta; any dimension.</summary>
    BarnesHut,
    /// <summary>Every pair: O(N^2) per iteration, for small maps and for checking the others.</summary>
    Exact,
}

/// <summary>Where the optimisation starts.</summary>
public enum MapInitialization
{
    /// <summary>The leading principal components of the input, scaled to standard deviation 1e-4.</summary>
    Pca,
    /// <summary>Gaussian noise with standard deviation 1e-4, seeded.</summary>
    Random,
    /// <summary>Coordinates the caller supplies in <see cref="TsneOptions.InitialMap"/>.</summary>
    Supplied,
}
