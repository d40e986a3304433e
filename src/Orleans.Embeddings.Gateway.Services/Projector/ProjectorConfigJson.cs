using System.Text.Json;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// projector_config.json, what the standalone Embedding Projector loads:
/// <c>{"embeddings":[{"tensorName","tensorShape":[N,D],"tensorPath","metadataPath","sprite":{"imagePath",
/// "singleImageDim":[W,H]},"bookmarksPath"}],"modelCheckpointPath":"..."}</c>, where modelCheckpointPath is only
/// the label the projector shows for the data set.
/// </summary>
public static class ProjectorConfigJson
{
    public static void Write(string path, IReadOnlyList<ProjectorEmbedding> embeddings, string label)
    {
        using var file = File.Create(path);
        Write(file, embeddings, label);
    }

    public static void Write(Stream stream, IReadOnlyList<ProjectorEmbedding> embeddings, string label)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("embeddings");
        foreach (var embedding in embeddings)
        {
            embedding.Validate();
            json.WriteStartObject();
            json.WriteString("tensorName", embedding.TensorName);
            json.WriteStartArray("tensorShape");
            json.WriteNumberValue(embedding.Rows);
            json.WriteNumberValue(embedding.Columns);
            json.WriteEndArray();
            json.WriteString("tensorPath", embedding.TensorPath);
            json.WriteString("metadataPath", embedding.MetadataPath);
            if (embedding.Sprite is { } sprite)
            {
                json.WriteStartObject("sprite");
                json.WriteString("imagePath", sprite.ImagePath);
                json.WriteStartArray("singleImageDim");
                json.WriteNumberValue(sprite.Width);
                json.WriteNumberValue(sprite.Height);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteString("bookmarksPath", embedding.BookmarksPath);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("modelCheckpointPath", label);
        json.WriteEndObject();
    }
}
