namespace Orleans.Embeddings.Grains.Neighbors;

/// <summary>
/// Labels suggested by neighbours, as Clarifai suggests them: every label the k nearest images carry, with the share
/// of those images that carry it, most shared first (ties in label order). An image counts once per label.
/// </summary>
public static class LabelVotes
{
    public static LabelSuggestion Suggest(NearestMatch[] neighbors)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var neighbor in neighbors)
            foreach (var label in neighbor.Labels.Distinct(StringComparer.Ordinal))
                counts[label] = counts.GetValueOrDefault(label) + 1;
        var shares = counts
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new LabelShare(c.Key, c.Value, (float)c.Value / neighbors.Length))
            .ToArray();
        return new LabelSuggestion(neighbors.Length, shares);
    }
}
