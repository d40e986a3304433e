using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Tsne.Tests.Optimization;

public sealed class RepulsiveForcesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_row_gets_the_field_value_and_z_is_their_sum_whatever_the_thread_count(int threads)
    {
        const int count = 1300, dims = 2;
        var map = TestData.Uniform(count * dims, 20, seed: 3);
        var field = new ExactRepulsionField(map, dims, new StudentKernel(1));
        var expectedForces = new float[count * dims];
        var expectedZ = new double[count];
        field.Evaluate(0, expectedForces, expectedZ);

        var repulsion = new RepulsiveForces(count, dims);
        repulsion.Evaluate(field, 0, new ParallelOptions { MaxDegreeOfParallelism = threads });

        Assert.Equal(expectedForces, repulsion.Forces);
        Assert.Equal(expectedZ, repulsion.ZShares);
        double z = 0;
        foreach (var share in expectedZ) z += share;
        Assert.Equal(z, repulsion.Z());
    }
}
