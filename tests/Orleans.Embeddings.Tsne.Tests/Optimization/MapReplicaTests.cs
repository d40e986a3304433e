using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Tests.Optimization;

public sealed class MapReplicaTests
{
    private const int Dimensions = 2;

    [Fact]
    public void Rows_evaluated_for_another_process_in_slices_get_the_forces_and_chunk_sums_of_one_evaluation()
    {
        const int points = 3000, first = 1024, count = 1500;
        var map = TestData.Uniform(points * Dimensions, 30, seed: 5);
        var replica = new MapReplica(0, map, Dimensions);
        var plan = new IterationPlan(0, false, RepulsionMethod.Fft, FftRepulsionField.PlanGrid(MapBounds.Of(map, Dimensions)));
        var options = new TsneOptions { MaxThreads = 2 };

        // What the shard of rows 1024 to 2524 would compute from its own copy of the field.
        var own = new RepulsiveForces(count, Dimensions);
        own.Evaluate(new MapReplica(0, (float[])map.Clone(), Dimensions).Field(plan, options), first, options.Parallelism);
        // The same rows evaluated by the replica in two slices of whole chunks, as a partition asks for them.
        var head = replica.EvaluateRepulsion(plan, options, first, 512);
        var tail = replica.EvaluateRepulsion(plan, options, first + 512, count - 512);

        Assert.Equal(own.Forces, head.Forces.Concat(tail.Forces).ToArray());
        Assert.Equal(own.ChunkSums(), head.ChunkSums().Concat(tail.ChunkSums()).ToArray());
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(-256, 10)]
    [InlineData(2816, 512)]
    public void Rows_that_are_not_a_chunk_aligned_range_of_the_map_are_refused(int first, int count)
    {
        var map = TestData.Uniform(3000 * Dimensions, 30, seed: 5);
        var replica = new MapReplica(0, map, Dimensions);
        var plan = new IterationPlan(0, false, RepulsionMethod.Fft, FftRepulsionField.PlanGrid(MapBounds.Of(map, Dimensions)));

        Assert.Throws<ArgumentOutOfRangeException>(() => replica.EvaluateRepulsion(plan, new TsneOptions(), first, count));
    }
}
