using Orleans.Embeddings.Tsne;
using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;
using Orleans.Embeddings.Tsne.Repulsion;

namespace Orleans.Embeddings.Grains.Serialization;

// The engine has no Orleans dependency, so its messages cross the wire through these surrogates; arrays travel
// packed as bytes (see PackedFloats).

[GenerateSerializer]
public struct PcaSumsSurrogate
{
    [Id(0)] public int Count;
    [Id(1)] public int Dimensions;
    [Id(2)] public double MaxAbsolute;
    [Id(3)] public byte[] Sums;
    [Id(4)] public byte[] Scatter;
}

[RegisterConverter]
public sealed class PcaSumsConverter : IConverter<PcaSums, PcaSumsSurrogate>
{
    public PcaSums ConvertFromSurrogate(in PcaSumsSurrogate s) =>
        new(s.Count, s.Dimensions, s.MaxAbsolute, PackedFloats.Unpack<Int128>(s.Sums), PackedFloats.Unpack<Int128>(s.Scatter));

    public PcaSumsSurrogate ConvertToSurrogate(in PcaSums value) => new()
    {
        Count = value.Count,
        Dimensions = value.Dimensions,
        MaxAbsolute = value.MaxAbsolute,
        Sums = PackedFloats.Pack<Int128>(value.Sums),
        Scatter = PackedFloats.Pack<Int128>(value.Scatter),
    };
}

[GenerateSerializer]
public struct PcaModelSurrogate
{
    [Id(0)] public int InputDimensions;
    [Id(1)] public float[] Mean;
    [Id(2)] public float[] Components;
    [Id(3)] public double[] Variances;
}

[RegisterConverter]
public sealed class PcaModelConverter : IConverter<PcaModel, PcaModelSurrogate>
{
    public PcaModel ConvertFromSurrogate(in PcaModelSurrogate s) => new(s.InputDimensions, s.Mean, s.Components, s.Variances);

    public PcaModelSurrogate ConvertToSurrogate(in PcaModel value) => new()
    {
        InputDimensions = value.InputDimensions,
        Mean = value.Mean,
        Components = value.Components,
        Variances = value.Variances,
    };
}

[GenerateSerializer]
public struct RandomProjectionTreeSurrogate
{
    [Id(0)] public byte[] Order;
    [Id(1)] public byte[] LeafStarts;
    [Id(2)] public byte[] Normals;
    [Id(3)] public byte[] Offsets;
    [Id(4)] public byte[] Children;
}

[RegisterConverter]
public sealed class RandomProjectionTreeConverter : IConverter<RandomProjectionTree, RandomProjectionTreeSurrogate>
{
    public RandomProjectionTree ConvertFromSurrogate(in RandomProjectionTreeSurrogate s) =>
        new(PackedFloats.Unpack<int>(s.Order), PackedFloats.Unpack<int>(s.LeafStarts), PackedFloats.Unpack<float>(s.Normals),
            PackedFloats.Unpack<float>(s.Offsets), PackedFloats.Unpack<int>(s.Children));

    public RandomProjectionTreeSurrogate ConvertToSurrogate(in RandomProjectionTree value) => new()
    {
        Order = PackedFloats.Pack<int>(value.Order),
        LeafStarts = PackedFloats.Pack<int>(value.LeafStarts),
        Normals = PackedFloats.Pack<float>(value.Normals),
        Offsets = PackedFloats.Pack<float>(value.Offsets),
        Children = PackedFloats.Pack<int>(value.Children),
    };
}

[GenerateSerializer]
public struct MapBoundsSurrogate
{
    [Id(0)] public double[] Low;
    [Id(1)] public double[] High;
}

[RegisterConverter]
public sealed class MapBoundsConverter : IConverter<MapBounds, MapBoundsSurrogate>
{
    public MapBounds ConvertFromSurrogate(in MapBoundsSurrogate s) => new(s.Low, s.High);

    public MapBoundsSurrogate ConvertToSurrogate(in MapBounds value) => new() { Low = value.Low, High = value.High };
}

[GenerateSerializer]
public struct IterationPlanSurrogate
{
    [Id(0)] public int Iteration;
    [Id(1)] public bool MeasuresKl;
    [Id(2)] public RepulsionMethod Method;
    [Id(3)] public FftGridGeometry? Grid;
}

[RegisterConverter]
public sealed class IterationPlanConverter : IConverter<IterationPlan, IterationPlanSurrogate>
{
    public IterationPlan ConvertFromSurrogate(in IterationPlanSurrogate s) => new(s.Iteration, s.MeasuresKl, s.Method, s.Grid);

    public IterationPlanSurrogate ConvertToSurrogate(in IterationPlan value) => new()
    {
        Iteration = value.Iteration, MeasuresKl = value.MeasuresKl, Method = value.Method, Grid = value.Grid,
    };
}

[GenerateSerializer]
public struct FftGridGeometrySurrogate
{
    [Id(0)] public int Dimensions;
    [Id(1)] public int BoxesPerDimension;
    [Id(2)] public int PointsPerBox;
    [Id(3)] public double BoxWidth;
    [Id(4)] public double[] Origin;
    [Id(5)] public int FftLength;
    [Id(6)] public double Extent;
}

[RegisterConverter]
public sealed class FftGridGeometryConverter : IConverter<FftGridGeometry, FftGridGeometrySurrogate>
{
    public FftGridGeometry ConvertFromSurrogate(in FftGridGeometrySurrogate s) =>
        new(s.Dimensions, s.BoxesPerDimension, s.PointsPerBox, s.BoxWidth, s.Origin, s.FftLength, s.Extent);

    public FftGridGeometrySurrogate ConvertToSurrogate(in FftGridGeometry value) => new()
    {
        Dimensions = value.Dimensions, BoxesPerDimension = value.BoxesPerDimension, PointsPerBox = value.PointsPerBox,
        BoxWidth = value.BoxWidth, Origin = value.Origin, FftLength = value.FftLength, Extent = value.Extent,
    };
}

[GenerateSerializer]
public struct ShardMeasurementSurrogate
{
    [Id(0)] public double[] ZChunks;
}

[RegisterConverter]
public sealed class ShardMeasurementConverter : IConverter<ShardMeasurement, ShardMeasurementSurrogate>
{
    public ShardMeasurement ConvertFromSurrogate(in ShardMeasurementSurrogate s) => new(s.ZChunks);

    public ShardMeasurementSurrogate ConvertToSurrogate(in ShardMeasurement value) => new() { ZChunks = value.ZChunks };
}

[GenerateSerializer]
public struct ShardStepSurrogate
{
    [Id(0)] public MapBounds Bounds;
    [Id(1)] public double? LogWeightSum;
}

[RegisterConverter]
public sealed class ShardStepConverter : IConverter<ShardStep, ShardStepSurrogate>
{
    public ShardStep ConvertFromSurrogate(in ShardStepSurrogate s) => new(s.Bounds, s.LogWeightSum);

    public ShardStepSurrogate ConvertToSurrogate(in ShardStep value) => new() { Bounds = value.Bounds, LogWeightSum = value.LogWeightSum };
}

[GenerateSerializer]
public struct StepPlanSurrogate
{
    [Id(0)] public int Iteration;
    [Id(1)] public double Z;
}

[RegisterConverter]
public sealed class StepPlanConverter : IConverter<StepPlan, StepPlanSurrogate>
{
    public StepPlan ConvertFromSurrogate(in StepPlanSurrogate s) => new(s.Iteration, s.Z);

    public StepPlanSurrogate ConvertToSurrogate(in StepPlan value) => new() { Iteration = value.Iteration, Z = value.Z };
}
