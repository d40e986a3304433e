using System.CommandLine;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Cli.Display;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>
/// <c>embeddings tsne COLLECTION</c>: starts a t-SNE job with any of the engine's parameters (each defaults to the
/// engine's) and follows it with a live progress bar; Ctrl+C offers to cancel it.
/// </summary>
public static class TsneCommand
{
    public static Command Build(GlobalOptions global)
    {
        var collection = new Argument<string>("collection") { Description = "The collection to map." };
        var job = new Option<string?>("--job") { Description = "Job id (default: made up from the collection's name and the time)." };
        var perplexity = new Option<double?>("--perplexity") { Description = "Effective number of neighbours [30]." };
        var dimensions = new Option<int?>("--dimensions") { Description = "Map dimensions, 1 to 3 [2]." };
        var earlyIterations = new Option<int?>("--early-iterations") { Description = "Iterations of early exaggeration [250]." };
        var earlyExaggeration = new Option<double?>("--early-exaggeration") { Description = "Exaggeration of the early phase [12]." };
        var iterations = new Option<int?>("--iterations") { Description = "Iterations after the early phase [500]." };
        var exaggeration = new Option<double?>("--exaggeration") { Description = "Exaggeration after the early phase [1]." };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Step size [N / exaggeration]." };
        var earlyMomentum = new Option<double?>("--early-momentum") { Description = "Momentum of the early phase [0.5]." };
        var momentum = new Option<double?>("--momentum") { Description = "Momentum after the early phase [0.8]." };
        var minGain = new Option<double?>("--min-gain") { Description = "Floor of the adaptive gains [0.01]." };
        var maxStep = new Option<double?>("--max-step") { Description = "Longest step of a point per iteration, 0 for none [5]." };
        var theta = new Option<double?>("--theta") { Description = "Barnes-Hut opening angle [0.5]." };
        var dof = new Option<double?>("--dof") { Description = "Degrees of freedom of the output kernel [1]." };
        var seed = new Option<int?>("--seed") { Description = "Random seed [42]." };
        var initialization = Choice<Initialization>("--init", "Initial map: pca or random [pca].",
            ("pca", Initialization.Pca), ("random", Initialization.Random));
        var metric = Choice<InputMetric>("--metric", "Input distance: euclidean or cosine [euclidean].",
            ("euclidean", InputMetric.Euclidean), ("cosine", InputMetric.Cosine));
        var neighbors = Choice<NeighborMethod>("--neighbors", "Neighbour search: auto, exact or approximate [auto].",
            ("auto", NeighborMethod.Auto), ("exact", NeighborMethod.Exact), ("approximate", NeighborMethod.Approximate));
        var repulsion = Choice<RepulsionMethod>("--repulsion", "Repulsion: auto, fft, barneshut or exact [auto].",
            ("auto", RepulsionMethod.Auto), ("fft", RepulsionMethod.Fft), ("barneshut", RepulsionMethod.BarnesHut), ("exact", RepulsionMethod.Exact));
        var pca = new Option<int?>("--pca") { Description = "Reduce the input to this many principal components first, 0 for none [0]." };
        var klEvery = new Option<int?>("--kl-every") { Description = "Iterations between KL divergence evaluations, 0 for the end only [50]." };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the points, 0 for one per core of the cluster [0]." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Iterations between checkpoints, 0 for 25 [0]." };
        var detach = new Option<bool>("--detach") { Description = "Start the job and return at once." };
        var output = new Option<string?>("--output", "-o") { Description = "Write the finished map to this TSV (id, x, y)." };

        var command = new Command("tsne", "Start a t-SNE job over a collection and follow its progress (Ctrl+C offers to cancel it).")
        {
            collection, job, perplexity, dimensions, earlyIterations, earlyExaggeration, iterations, exaggeration, learningRate,
            earlyMomentum, momentum, minGain, maxStep, theta, dof, seed, initialization.Option, metric.Option, neighbors.Option,
            repulsion.Option, pca, klEvery, partitions, checkpointEvery, detach, output,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var parameters = new JobParameters
            {
                Initialization = initialization.Value(parse),
                Metric = metric.Value(parse),
                Neighbors = neighbors.Value(parse),
                Repulsion = repulsion.Value(parse),
            };
            if (parse.GetValue(perplexity) is { } p) parameters.Perplexity = p;
            if (parse.GetValue(dimensions) is { } d) parameters.OutputDimensions = d;
            if (parse.GetValue(earlyIterations) is { } ei) parameters.EarlyExaggerationIterations = ei;
            if (parse.GetValue(earlyExaggeration) is { } ee) parameters.EarlyExaggeration = ee;
            if (parse.GetValue(iterations) is { } it) parameters.Iterations = it;
            if (parse.GetValue(exaggeration) is { } ex) parameters.Exaggeration = ex;
            if (parse.GetValue(learningRate) is { } lr) parameters.LearningRate = lr;
            if (parse.GetValue(earlyMomentum) is { } em) parameters.EarlyMomentum = em;
            if (parse.GetValue(momentum) is { } mo) parameters.Momentum = mo;
            if (parse.GetValue(minGain) is { } mg) parameters.MinGain = mg;
            if (parse.GetValue(maxStep) is { } ms) parameters.MaxStepNorm = ms;
            if (parse.GetValue(theta) is { } th) parameters.Theta = th;
            if (parse.GetValue(dof) is { } df) parameters.DegreesOfFreedom = df;
            if (parse.GetValue(seed) is { } sd) parameters.Seed = sd;
            if (parse.GetValue(pca) is { } pc) parameters.PcaDimensions = pc;
            if (parse.GetValue(klEvery) is { } kl) parameters.KlEvery = kl;

            using var client = global.Connect(parse);
            var started = await client.Jobs.StartJobAsync(new StartJobRequest
            {
                Collection = parse.GetValue(collection)!,
                JobId = parse.GetValue(job) ?? "",
                Parameters = parameters,
                Partitions = parse.GetValue(partitions),
                CheckpointEvery = parse.GetValue(checkpointEvery),
            }, cancellationToken: cancellation);
            Console.WriteLine($"Started job {started.JobId} over collection '{started.Collection}': {started.TotalIterations} iterations.");
            if (parse.GetValue(detach)) return 0;
            return await new JobFollower(client, started.JobId).Run(offerCancel: true, parse.GetValue(output), cancellation);
        });
        return command;
    }

    /// <summary>An option whose words map to a proto enum, refusing any other word.</summary>
    private static Choice<T> Choice<T>(string name, string description, params (string Word, T Value)[] choices) where T : struct, Enum
    {
        var option = new Option<string?>(name) { Description = description };
        option.AcceptOnlyFromAmong([.. choices.Select(c => c.Word)]);
        return new Choice<T>(option, choices);
    }
}
