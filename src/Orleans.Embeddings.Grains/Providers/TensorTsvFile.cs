using System.Globalization;
using System.Text;

namespace Orleans.Embeddings.Grains.Providers;

/// <summary>The Embedding Projector's tensors.tsv: one row of tab-separated floats per point, no header.</summary>
public static class TensorTsvFile
{
    public static (float[] Values, int Dimensions) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Vector file '{path}' does not exist.", path);
        var values = new List<float>();
        var dimensions = -1;
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0) continue;
            var cells = text.Split('\t');
            if (dimensions < 0) dimensions = cells.Length;
            else if (cells.Length != dimensions)
                throw new InvalidDataException($"{path}:{line} has {cells.Length} values; the first row has {dimensions}.");
            foreach (var cell in cells)
                values.Add(float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
                    ? value
                    : throw new InvalidDataException($"{path}:{line}: '{cell}' is not a finite number."));
        }
        if (dimensions < 1) throw new InvalidDataException($"'{path}' has no rows.");
        return (values.ToArray(), dimensions);
    }

    /// <summary>Writes rows so that they read back bit for bit.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int dimensions)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        var line = new StringBuilder();
        for (var row = 0; row < values.Length / dimensions; row++)
        {
            line.Clear();
            for (var d = 0; d < dimensions; d++)
            {
                if (d > 0) line.Append('\t');
                line.Append(values[row * dimensions + d].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine(line);
        }
    }
}
