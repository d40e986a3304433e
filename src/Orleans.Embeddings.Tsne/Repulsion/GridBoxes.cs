using System.Numerics.Tensors;

namespace Orleans.Embeddings.Tsne.Repulsion;

/// <summary>
/// The values on the nodes of some boxes of an FFT grid, box by box: for each box of <see cref="Boxes"/> (ascending;
/// b0 * boxes + b1 in 2-D), its PointsPerBox^D nodes row by row, ChargeCount floats each. Every node belongs to one
/// box, and a row's charges and potentials live only on the nodes of its box, so a shard sends the charges of the
/// boxes its rows occupy and gets back the potentials of the same boxes: O(min(rows, boxes)), never the whole grid.
/// </summary>
public sealed record GridBoxes(int[] Boxes, float[] Values)
{
    /// <summary>The values of <paramref name="boxes"/> on a whole grid laid out as <see cref="FftPotentialGrid.Potentials"/>.</summary>
    public static GridBoxes Gather(FftGridGeometry geometry, ReadOnlySpan<float> grid, int[] boxes)
    {
        var run = RunLength(geometry);
        var rowsPerBox = geometry.Dimensions == 2 ? geometry.PointsPerBox : 1;
        var values = new float[boxes.Length * rowsPerBox * run];
        var at = 0;
        foreach (var box in boxes)
            for (var row = 0; row < rowsPerBox; row++, at += run)
                grid.Slice(Offset(geometry, box, row), run).CopyTo(values.AsSpan(at, run));
        return new GridBoxes(boxes, values);
    }

    /// <summary>Adds these values to their nodes of a whole grid.</summary>
    public void AddTo(FftGridGeometry geometry, Span<float> grid) => Visit(geometry, grid, add: true);

    /// <summary>Writes these values over their nodes of a whole grid; the other nodes keep what they hold.</summary>
    public void CopyTo(FftGridGeometry geometry, Span<float> grid) => Visit(geometry, grid, add: false);

    private void Visit(FftGridGeometry geometry, Span<float> grid, bool add)
    {
        var run = RunLength(geometry);
        var rowsPerBox = geometry.Dimensions == 2 ? geometry.PointsPerBox : 1;
        if (Values.Length != Boxes.Length * rowsPerBox * run)
            throw new ArgumentException($"{Boxes.Length} boxes of this grid hold {Boxes.Length * rowsPerBox * run} values; got {Values.Length}.");
        var at = 0;
        foreach (var box in Boxes)
            for (var row = 0; row < rowsPerBox; row++, at += run)
            {
                var target = grid.Slice(Offset(geometry, box, row), run);
                var source = Values.AsSpan(at, run);
                if (add) TensorPrimitives.Add(target, source, target);
                else source.CopyTo(target);
            }
    }

    // A box's nodes along the last axis are contiguous: PointsPerBox nodes of ChargeCount floats.
    private static int RunLength(FftGridGeometry geometry) => geometry.PointsPerBox * geometry.ChargeCount;

    private static int Offset(FftGridGeometry geometry, int box, int row)
    {
        var p = geometry.PointsPerBox;
        if (geometry.Dimensions == 1) return box * p * geometry.ChargeCount;
        var (b0, b1) = Math.DivRem(box, geometry.BoxesPerDimension);
        return ((b0 * p + row) * geometry.NodesPerDimension + b1 * p) * geometry.ChargeCount;
    }
}
