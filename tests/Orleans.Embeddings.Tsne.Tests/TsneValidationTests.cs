namespace Orleans.Embeddings.Tsne.Tests;

public sealed class TsneValidationTests
{
    private static readonly float[] Points = TestData.Blobs(50, 3, 2, 4).Data;

    private static ArgumentException Fails(TsneOptions options, float[]? data = null, int dimensions = 3) =>
        Assert.ThrowsAny<ArgumentException>(() => TsneRunner.Run(data ?? Points, dimensions, options));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_values_are_rejected_with_their_row(float bad)
    {
        var data = (float[])Points.Clone();
        data[7 * 3 + 2] = bad;
        var error = Fails(new TsneOptions { Perplexity = 5 }, data);
        Assert.Equal("points", error.ParamName);
        Assert.Contains("row 7, column 2", error.Message);
    }

    [Fact]
    public void Fewer_than_two_points_are_rejected()
    {
        var error = Fails(new TsneOptions(), [1f, 2f, 3f]);
        Assert.Equal("points", error.ParamName);
        Assert.Throws<ArgumentException>(() => TsneRunner.Run(Array.Empty<float[]>(), new TsneOptions()));
    }

    [Fact]
    public void Ragged_rows_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TsneRunner.Run([[1f, 2f], [3f, 4f], [5f]], new TsneOptions { Perplexity = 0.3 }));
        Assert.Equal("points", error.ParamName);
        Assert.Contains("Row 2 has 1 values", error.Message);
    }

    [Fact]
    public void Perplexity_too_large_for_the_data_names_the_limit()
    {
        var error = Fails(new TsneOptions { Perplexity = 30 });
        Assert.Equal("Perplexity", error.ParamName);
        Assert.Contains("too large for 50 points", error.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    public void Non_positive_learning_rate_is_rejected(double rate)
    {
        var error = Fails(new TsneOptions { Perplexity = 5, LearningRate = rate });
        Assert.Equal("LearningRate", error.ParamName);
        Assert.Contains(rate.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Output_dimensions_outside_one_to_three_are_rejected(int dims)
    {
        var error = Fails(new TsneOptions { Perplexity = 5, OutputDimensions = dims });
        Assert.Equal("OutputDimensions", error.ParamName);
        Assert.Contains($"= {dims}", error.Message);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    public void Fewer_principal_components_than_map_dimensions_are_rejected(int pca, int dims)
    {
        var error = Fails(new TsneOptions { Perplexity = 5, PcaDimensions = pca, OutputDimensions = dims });
        Assert.Equal("PcaDimensions", error.ParamName);
        Assert.Contains($"at least OutputDimensions = {dims}", error.Message);
    }

    [Fact]
    public void Fft_repulsion_in_three_dimensions_is_rejected()
    {
        var error = Fails(new TsneOptions { Perplexity = 5, OutputDimensions = 3, Repulsion = RepulsionMethod.Fft });
        Assert.Equal("Repulsion", error.ParamName);
    }

    [Fact]
    public void A_supplied_map_of_the_wrong_size_is_rejected()
    {
        var error = Fails(new TsneOptions { Perplexity = 5, Initialization = MapInitialization.Supplied, InitialMap = new float[7] });
        Assert.Equal("InitialMap", error.ParamName);
    }

    [Fact]
    public void A_zero_row_has_no_cosine_direction()
    {
        var data = (float[])Points.Clone();
        Array.Clear(data, 3, 3);
        var error = Fails(new TsneOptions { Perplexity = 5, Metric = DistanceMetric.Cosine }, data);
        Assert.Contains("Row 1 is all zeros", error.Message);
    }
}
