using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Gradient;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne;

/// <summary>
/// One contiguous shard of the points and every step of t-SNE it computes: the input checks, its share of the
/// PCA sums, its rows' neighbours against every shard's block or index, its affinities and their exchange, and the
/// optimisation of its own rows: each iteration's attractive forces, its part of the repulsion, and the step. Each step is a function of the shard's own state and
/// of what the coordinator hands it, so the same steps run in one process or on many machines.
/// </summary>
public sealed class TsneShard
{
    private readonly TsneOptions options;
    private ParallelOptions parallel;
    private readonly StudentKernel kernel;
    private TopKAccumulator? neighborSearch;
    private CandidateRefinement? refinement;
    private NeighborGraph? neighbors;
    private float[]? conditionals;
    private SparseAffinities? affinities;
    private float[]? attraction;
    private Task<ShardAttraction>? pendingAttraction;
    private float[]? positions;
    private GradientDescent? descent;
    private float[]? gradient;
    private RepulsiveForces? repulsion;
    private bool reduced;

    /// <param name="start">Global index of the shard's first row; a multiple of <see cref="ShardLayout.ChunkRows"/>.</param>
    /// <param name="rows">The shard's input rows, row-major.</param>
    public TsneShard(int start, ReadOnlyMemory<float> rows, int inputDimensions, int pointCount, TsneOptions options)
    {
        if (start % ShardLayout.ChunkRows != 0)
            throw new ArgumentException($"A shard must start on a multiple of {ShardLayout.ChunkRows} rows; got {start}.", nameof(start));
        Start = start;
        Count = rows.Length / inputDimensions;
        PointCount = pointCount;
        Dimensions = inputDimensions;
        this.options = options;
        parallel = options.Parallelism;
        kernel = new StudentKernel(options.DegreesOfFreedom);
        TsneValidation.RequireFinite(rows.Span, inputDimensions, "points", start);
        InputRows = options.Metric == DistanceMetric.Cosine ? UnitRows(rows.Span, inputDimensions, start) : rows;
        SearchRows = InputRows;
        SearchDimensions = inputDimensions;
    }

    public int Start { get; }

    public int Count { get; }

    public int PointCount { get; }

    /// <summary>Dimensions of <see cref="InputRows"/>: the input's, or the principal components' after <see cref="ApplyPca"/>.</summary>
    public int Dimensions { get; private set; }

    /// <summary>The rows whose distances define the neighbours: the input (unit length for cosine), or its principal coordinates.</summary>
    public ReadOnlyMemory<float> InputRows { get; private set; }

    /// <summary>The rows candidate neighbours are searched in: <see cref="InputRows"/>, or a cheaper projection of them.</summary>
    public ReadOnlyMemory<float> SearchRows { get; private set; }

    public int SearchDimensions { get; private set; }

    public SparseAffinities Affinities => affinities ?? throw new InvalidOperationException("Affinities have not been assembled yet.");

    // --- Input and PCA ---

    public double MaxAbsolute() => PcaSums.MaxAbsoluteOf(InputRows.Span);

    public PcaSums ComputePcaSums(double globalMaxAbsolute) => PcaSums.Compute(InputRows, Dimensions, globalMaxAbsolute, parallel);

    /// <summary>
    /// Applies the run's PCA: the input rows are replaced by their first <paramref name="reduceTo"/> principal
    /// coordinates (0: kept), and candidates are searched among the first <paramref name="searchDimensions"/>
    /// (0: in the rows themselves), which after a reduction are the reduced rows' leading columns.
    /// </summary>
    public void ApplyPca(PcaModel model, int reduceTo, int searchDimensions)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (reduceTo > 0)
        {
            var axes = model.Truncate(reduceTo);
            InputRows = SearchRows = axes.Project(InputRows, parallel);
            Dimensions = SearchDimensions = axes.ComponentCount;
            reduced = true;
        }
        if (searchDimensions > 0 && searchDimensions < Dimensions)
        {
            SearchRows = reduced
                ? LeadingColumns(InputRows.Span, Dimensions, searchDimensions, 1f)
                : model.Truncate(searchDimensions).Project(InputRows, parallel);
            SearchDimensions = searchDimensions;
        }
    }

    // --- Nearest neighbours ---

    public void BeginNeighborSearch(int k) => neighborSearch = new TopKAccumulator(Start, Count, k);

    /// <summary>
    /// Splits the run's threads among <paramref name="shards"/> shards that work at once on this machine, each in
    /// its own process, from the next step on (1: this shard takes them all again). Threads that outnumber the cores
    /// take turns on them and evict each other's data from the caches; the results do not depend on the count.
    /// </summary>
    public void ShareCores(int shards) => parallel = new ParallelOptions
    {
        MaxDegreeOfParallelism = Math.Max(1, options.Parallelism.MaxDegreeOfParallelism / Math.Max(1, shards)),
    };

    /// <summary>Offers another shard's search rows (or this shard's own) to this shard's rows by exact distance.</summary>
    public void OfferCandidates(ReadOnlyMemory<float> searchRows, int candidateStart) =>
        ExactNeighborSearch.Offer(Search, SearchRows, searchRows, candidateStart, SearchDimensions, parallel);

    /// <summary>Grows the random-projection forest of this shard's search rows, for queries of k neighbours.</summary>
    public RandomProjectionForest BuildForest(int k) =>
        RandomProjectionForest.Build(SearchRows, Start, SearchDimensions, PointCount, k, options.Seed, parallel);

    /// <summary>Offers this shard's rows the rows of the leaves they reach in a shard's forest, whose search rows are given.</summary>
    public void OfferCandidates(RandomProjectionForest forest, ReadOnlyMemory<float> ownerSearchRows) =>
        forest.Offer(Search, SearchRows, ownerSearchRows, SearchDimensions, parallel);

    /// <summary>As the forest's offer, one tree at a time: the tree of the shard whose search rows from <paramref name="ownerStart"/> are given.</summary>
    public void OfferCandidates(RandomProjectionTree tree, ReadOnlyMemory<float> ownerSearchRows, int ownerStart) =>
        tree.Offer(Search, SearchRows, ownerSearchRows, ownerStart, SearchDimensions, parallel);

    /// <summary>Keeps the candidates found so far and starts ranking them by exact distance between input rows, k per row.</summary>
    public void BeginRefinement(int k)
    {
        refinement = new CandidateRefinement(Search);
        neighborSearch = new TopKAccumulator(Start, Count, k);
    }

    /// <summary>Measures the candidates that live in another shard's (or this shard's) input rows.</summary>
    public void RefineWith(ReadOnlyMemory<float> inputRows, int blockStart) =>
        (refinement ?? throw new InvalidOperationException("Call BeginRefinement first."))
            .Offer(Search, InputRows, inputRows, blockStart, Dimensions, parallel);

    public NeighborGraph EndNeighborSearch()
    {
        neighbors = Search.ToGraph();
        neighborSearch = null;
        refinement = null;
        // The projection served only the search.
        SearchRows = InputRows;
        SearchDimensions = Dimensions;
        return neighbors;
    }

    private TopKAccumulator Search => neighborSearch ?? throw new InvalidOperationException("Call BeginNeighborSearch first.");

    // --- Affinities ---

    /// <summary>
    /// Calibrates the rows' conditional probabilities, which take the place of the neighbours' distances (no longer
    /// needed), and returns the entries for each shard of the layout.
    /// </summary>
    public AffinityEntry[][] CalibrateAffinities(ShardLayout layout)
    {
        var graph = neighbors ?? throw new InvalidOperationException("Neighbours have not been found yet.");
        var conditional = PerplexityCalibration.Calibrate(graph, options.Perplexity, parallel, into: graph.SquaredDistances);
        conditionals = conditional;
        return Symmetrization.Outgoing(graph, conditional, layout);
    }

    /// <summary>
    /// Adds up this shard's own conditionals and the entries every shard sent it into its rows of P; the neighbour
    /// lists and the received arrays are let go as they are read.
    /// </summary>
    public SparseAffinities AcceptAffinities(AffinityEntry[]?[] received)
    {
        var graph = neighbors ?? throw new InvalidOperationException("Neighbours have not been found yet.");
        var conditional = conditionals ?? throw new InvalidOperationException("Call CalibrateAffinities first.");
        (neighbors, conditionals) = (null, null);
        affinities = Symmetrization.Assemble(graph, conditional, PointCount, received);
        return affinities;
    }

    // --- Optimisation ---

    /// <summary>This shard's rows of the map, row-major; the shard moves them itself, one step per iteration.</summary>
    public float[] Positions => positions ?? throw new InvalidOperationException("The optimisation has not started yet.");

    /// <summary>The optimiser's per-coordinate state of this shard's rows (momentum and gains), what a checkpoint keeps.</summary>
    public GradientDescent Descent => descent ?? throw new InvalidOperationException("The optimisation has not started yet.");

    /// <summary>Places the shard's rows at their starting coordinates; <paramref name="model"/> is needed for PCA initialisation.</summary>
    public MapBounds StartOptimization(PcaModel? model) => ResumeOptimization(InitialRows(model), new GradientDescent(Count, options.OutputDimensions));

    /// <summary>Continues from a checkpoint of this shard's rows and optimiser state.</summary>
    public MapBounds ResumeOptimization(float[] rows, GradientDescent state)
    {
        var dims = options.OutputDimensions;
        if (rows.Length != Count * dims || state.Velocity.Length != Count * dims || state.Gains.Length != Count * dims)
            throw new ArgumentException($"A checkpoint of this shard holds {Count} rows of {dims} coordinates.", nameof(rows));
        positions = rows;
        descent = state;
        pendingAttraction = null;
        gradient = new float[Count * dims];
        repulsion = new RepulsiveForces(Count, dims);
        return MapBounds.Of(positions, dims);
    }

    /// <summary>
    /// Starts the attractive forces on this shard's rows from the whole map of this iteration, to run on while the
    /// repulsion is measured; <see cref="Measure"/> starts them if nothing did before.
    /// </summary>
    public void StartAttraction(IterationPlan plan, MapReplica map)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(map);
        if (repulsion is null) throw new InvalidOperationException("The optimisation has not started yet.");
        pendingAttraction ??= Task.Run(() => ComputeAttraction(map.Coordinates, plan.MeasuresKl));
    }

    /// <summary>
    /// The first half of an iteration, from the whole map of this iteration (a replica this machine holds): the
    /// repulsive forces on this shard's rows from the replica's field, and their share of Z. The attractive forces on
    /// its rows run on meanwhile (<see cref="StartAttraction"/>); <see cref="Step"/> waits for them.
    /// </summary>
    public ShardMeasurement Measure(IterationPlan plan, MapReplica map)
    {
        StartAttraction(plan, map);
        var forces = repulsion!;
        forces.Evaluate(map.Field(plan, options), Start, parallel);
        return new ShardMeasurement(forces.ChunkSums());
    }

    /// <summary>
    /// Instead of <see cref="Measure"/>, where another process of this machine built the field: takes the repulsive
    /// forces on rows <paramref name="offset"/> on of this shard as that process evaluated them
    /// (<see cref="MapReplica.EvaluateRepulsion"/>); the chunk sums of Z come with them.
    /// </summary>
    public void TakeRepulsion(int offset, ReadOnlySpan<float> forces)
    {
        if (repulsion is null) throw new InvalidOperationException("The optimisation has not started yet.");
        forces.CopyTo(repulsion.Forces.AsSpan(offset * options.OutputDimensions));
    }

    /// <summary>
    /// The second half: with Z known, the gradient and the step of the shard's rows and optimiser state (none on the
    /// final pass, which only measures). Returns the box around the rows' new positions and, on KL iterations, the
    /// rows' sum p log w.
    /// </summary>
    public ShardStep Step(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var rows = Positions;
        var dims = options.OutputDimensions;
        var attraction = (pendingAttraction ?? throw new InvalidOperationException("Measure comes before Step.")).GetAwaiter().GetResult();
        pendingAttraction = null;
        var last = plan.Iteration == options.TotalIterations;
        var phase = OptimizationPhase.At(Math.Min(plan.Iteration, options.TotalIterations - 1), PointCount, options);
        GradientAssembly.Assemble(attraction.Forces, repulsion!.Forces, plan.Z, last ? 1 : phase.Exaggeration, gradient!);
        if (!last) Descent.Step(rows, gradient!, phase, options, parallel);
        return new ShardStep(MapBounds.Of(rows, dims), attraction.LogWeightSum);
    }

    /// <summary>The shard's starting coordinates; <paramref name="model"/> is needed for PCA initialisation.</summary>
    private float[] InitialRows(PcaModel? model) => options.Initialization switch
    {
        MapInitialization.Random => InitialMap.Random(Start, Count, options.OutputDimensions, options.Seed),
        MapInitialization.Supplied => InitialMap.Supplied(options.InitialMap!, Start, Count, options.OutputDimensions),
        _ when model is null => throw new ArgumentNullException(nameof(model), "PCA initialisation needs the PCA model."),
        // After a reduction the rows already are principal coordinates, so the first columns are the projection.
        _ when reduced => LeadingColumns(InputRows.Span, Dimensions, options.OutputDimensions,
            (float)(InitialMap.Scale / Math.Sqrt(Math.Max(model.Variances[0], double.Epsilon)))),
        _ => InitialMap.FromPca(InputRows, model, options.OutputDimensions, parallel),
    };

    /// <summary>
    /// One iteration's attractive forces on this shard's rows, sum_j p_ij w_ij^((a+1)/a) (y_i - y_j), from the
    /// whole map; on KL iterations also the shard's sum p log w. The buffer is reused by the next iteration.
    /// </summary>
    public ShardAttraction ComputeAttraction(float[] map, bool withKlTerm)
    {
        var dims = options.OutputDimensions;
        attraction ??= new float[Count * dims];
        AttractiveForces.Compute(Affinities, map, dims, kernel, attraction, parallel);
        double? logWeights = withKlTerm ? AttractiveForces.LogWeightSum(Affinities, map, dims, kernel, parallel) : null;
        return new ShardAttraction(Start, attraction, logWeights);
    }

    // The first `columns` columns of row-major rows, scaled.
    private static float[] LeadingColumns(ReadOnlySpan<float> rows, int dimensions, int columns, float scale)
    {
        var count = rows.Length / dimensions;
        var leading = new float[count * columns];
        for (var r = 0; r < count; r++)
            for (var d = 0; d < columns; d++)
                leading[r * columns + d] = rows[r * dimensions + d] * scale;
        return leading;
    }

    private static float[] UnitRows(ReadOnlySpan<float> rows, int dimensions, int start)
    {
        var unit = new float[rows.Length];
        for (var r = 0; r < rows.Length / dimensions; r++)
        {
            var row = rows.Slice(r * dimensions, dimensions);
            var norm = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.Dot(row, row));
            if (norm == 0)
                throw new ArgumentException($"Row {start + r} is all zeros, which has no direction for the cosine metric.", "points");
            for (var d = 0; d < dimensions; d++) unit[r * dimensions + d] = (float)(row[d] / norm);
        }
        return unit;
    }
}
