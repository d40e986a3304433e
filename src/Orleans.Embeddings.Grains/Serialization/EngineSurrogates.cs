using Orleans.Embeddings.Tsne.Affinities;
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
public struct ShardForcesSurrogate
{
    [Id(0)] public int Start;
    [Id(1)] public byte[] Attraction;
    [Id(2)] public byte[] Repulsion;
    [Id(3)] public byte[] ZShares;
    [Id(4)] public double? LogWeightSum;
}

[RegisterConverter]
public sealed class ShardForcesConverter : IConverter<ShardForces, ShardForcesSurrogate>
{
    public ShardForces ConvertFromSurrogate(in ShardForcesSurrogate s) => new(s.Start,
        PackedFloats.Unpack<float>(s.Attraction), PackedFloats.Unpack<float>(s.Repulsion), PackedFloats.Unpack<double>(s.ZShares), s.LogWeightSum);

    public ShardForcesSurrogate ConvertToSurrogate(in ShardForces value) => new()
    {
        Start = value.Start,
        Attraction = PackedFloats.Pack<float>(value.Attraction),
        Repulsion = PackedFloats.Pack<float>(value.Repulsion),
        ZShares = PackedFloats.Pack<double>(value.ZShares),
        LogWeightSum = value.LogWeightSum,
    };
}

/// <summary>
/// Within a silo Orleans deep-copies results; a partition's forces are read by the coordinator before the partition
/// is asked for the next ones (which overwrite its buffers), so they are handed over by reference.
/// </summary>
[RegisterCopier]
public sealed class ShardForcesCopier : Orleans.Serialization.Cloning.IDeepCopier<ShardForces>
{
    [return: System.Diagnostics.CodeAnalysis.MaybeNull]
    public ShardForces DeepCopy([System.Diagnostics.CodeAnalysis.AllowNull] ShardForces input, Orleans.Serialization.Cloning.CopyContext context) => input;
}
