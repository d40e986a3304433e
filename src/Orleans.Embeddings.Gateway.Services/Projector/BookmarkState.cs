using System.Text.Json;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// A bookmarks file: a JSON array of the projector's saved states, here one t-SNE state that carries the job's map
/// as each point's <c>tsne-0</c>, <c>tsne-1</c> (and <c>tsne-2</c>) in tensor row order (a 1-D map along the x axis). The projector loads the
/// first bookmark when it opens a tensor, so it shows the computed layout instead of computing its own; the state
/// also colours and labels the points by the <c>label</c> column.
/// </summary>
public static class BookmarkState
{
    /// <param name="label">The bookmark's name in the projector's list.</param>
    /// <param name="tensorColumns">The tensor's own width (D, or the map's dimensions): the state's data set dimensions.</param>
    /// <param name="map">Row-major, points x <paramref name="mapDimensions"/>.</param>
    /// <param name="perplexity">The job's perplexity, or null when it is not known (written as 0).</param>
    /// <param name="learningRate">The job's learning rate, or null when it is not known (written as 0).</param>
    public static void Write(Stream stream, string label, int tensorColumns, ReadOnlySpan<float> map, int mapDimensions, int iteration,
        double? perplexity, double? learningRate)
    {
        if (mapDimensions is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(mapDimensions), mapDimensions, "t-SNE maps have 1 to 3 dimensions.");
        if (map.Length % mapDimensions != 0) throw new ArgumentException($"{map.Length} values are not whole points of {mapDimensions}.", nameof(map));
        var points = map.Length / mapDimensions;
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteString("label", label);
        json.WriteBoolean("isSelected", false);
        json.WriteString("selectedProjection", "tsne");
        json.WriteStartArray("dataSetDimensions");
        json.WriteNumberValue(points);
        json.WriteNumberValue(tensorColumns);
        json.WriteEndArray();
        json.WriteNumber("tSNEIteration", iteration);
        json.WriteNumber("tSNEPerplexity", perplexity ?? 0);
        json.WriteNumber("tSNELearningRate", learningRate ?? 0);
        json.WriteBoolean("tSNEis3d", mapDimensions == 3);
        json.WriteBoolean("umapIs3d", false);
        json.WriteNumber("umapNeighbors", 15);
        json.WriteStartArray("pcaComponentDimensions");
        json.WriteNumberValue(0);
        json.WriteNumberValue(1);
        json.WriteEndArray();
        json.WriteStartArray("projections");
        for (var point = 0; point < points; point++)
        {
            json.WriteStartObject();
            for (var d = 0; d < mapDimensions; d++)
                json.WriteNumber(TsneKey(d), map[point * mapDimensions + d]);
            // The projector draws t-SNE in 2-D or 3-D: a 1-D map lies along the x axis.
            if (mapDimensions == 1) json.WriteNumber(TsneKey(1), 0);
            json.WriteEndObject();
            if (json.BytesPending > 1 << 16) json.Flush();
        }
        json.WriteEndArray();
        json.WriteStartArray("selectedPoints");
        json.WriteEndArray();
        json.WriteNull("cameraDef");
        json.WriteString("selectedColorOptionName", MetadataColumns.Label);
        json.WriteBoolean("forceCategoricalColoring", true);
        json.WriteString("selectedLabelOption", MetadataColumns.Label);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <summary>The projection key of map dimension <paramref name="dimension"/>: tsne-0, tsne-1, tsne-2.</summary>
    public static string TsneKey(int dimension) => dimension switch
    {
        0 => "tsne-0",
        1 => "tsne-1",
        2 => "tsne-2",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };
}
