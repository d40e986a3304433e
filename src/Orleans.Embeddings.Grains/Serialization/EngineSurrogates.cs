using Orleans.Embeddings.Tsne.Affinities;
using Orleans.Embeddings.Tsne.Neighbors;
using Orleans.Embeddings.Tsne.Optimization;
using Orleans.Embeddings.Tsne.Pca;

namespace Orleans.Embeddings.Grains.Serialization;

// The engine has no Orleans dependency, so its messages cross the wire through these surrogates; the forces of
// every iteration travel packed as bytes (see PackedFloats).

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
public struct ShardAttractionSurrogate
{
    [Id(0)] public int Start;
    [Id(1)] public byte[] Forces;
    [Id(2)] public double? LogWeightSum;
}

[RegisterConverter]
public sealed class ShardAttractionConverter : IConverter<ShardAttraction, ShardAttractionSurrogate>
{
    public ShardAttraction ConvertFromSurrogate(in ShardAttractionSurrogate s) => new(s.Start, PackedFloats.Unpack<float>(s.Forces), s.LogWeightSum);

    public ShardAttractionSurrogate ConvertToSurrogate(in ShardAttraction value) => new()
    {
        Start = value.Start,
        Forces = PackedFloats.Pack<float>(value.Forces),
        LogWeightSum = value.LogWeightSum,
    };
}

/// <summary>
/// Within a silo Orleans deep-copies results; a partition's forces are read by the coordinator before the partition
/// is asked for the next ones (which overwrite its buffer), so they are handed over by reference.
/// </summary>
[RegisterCopier]
public sealed class ShardAttractionCopier : Orleans.Serialization.Cloning.IDeepCopier<ShardAttraction>
{
    [return: System.Diagnostics.CodeAnalysis.MaybeNull]
    public ShardAttraction DeepCopy([System.Diagnostics.CodeAnalysis.AllowNull] ShardAttraction input, Orleans.Serialization.Cloning.CopyContext context) => input;
}

[GenerateSerializer]
public struct NeighborCandidatesSurrogate
{
    [Id(0)] public int PerRow;
    [Id(1)] public byte[] Indices;
    [Id(2)] public byte[] SquaredDistances;
}

[RegisterConverter]
public sealed class NeighborCandidatesConverter : IConverter<NeighborCandidates, NeighborCandidatesSurrogate>
{
    public NeighborCandidates ConvertFromSurrogate(in NeighborCandidatesSurrogate s) =>
        new(s.PerRow, PackedFloats.Unpack<int>(s.Indices), PackedFloats.Unpack<float>(s.SquaredDistances));

    public NeighborCandidatesSurrogate ConvertToSurrogate(in NeighborCandidates value) => new()
    {
        PerRow = value.PerRow,
        Indices = PackedFloats.Pack<int>(value.Indices),
        SquaredDistances = PackedFloats.Pack<float>(value.SquaredDistances),
    };
}
