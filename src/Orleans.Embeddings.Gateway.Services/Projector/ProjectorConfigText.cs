using System.Globalization;
using System.Text;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// projector_config.pbtxt, the ProjectorConfig message of TensorBoard's projector plugin in protobuf text format:
/// one <c>embeddings { ... }</c> block per embedding. With <c>tensor_path</c> set, no TensorFlow checkpoint is needed.
/// </summary>
public static class ProjectorConfigText
{
    public static string Format(IReadOnlyList<ProjectorEmbedding> embeddings)
    {
        var text = new StringBuilder();
        foreach (var embedding in embeddings)
        {
            embedding.Validate();
            text.Append("embeddings {\n");
            Field(text, 1, "tensor_name", embedding.TensorName);
            Field(text, 1, "tensor_path", embedding.TensorPath);
            Number(text, 1, "tensor_shape", embedding.Rows);
            Number(text, 1, "tensor_shape", embedding.Columns);
            Field(text, 1, "metadata_path", embedding.MetadataPath);
            if (embedding.Sprite is { } sprite)
            {
                text.Append("  sprite {\n");
                Field(text, 2, "image_path", sprite.ImagePath);
                Number(text, 2, "single_image_dim", sprite.Width);
                Number(text, 2, "single_image_dim", sprite.Height);
                text.Append("  }\n");
            }
            Field(text, 1, "bookmarks_path", embedding.BookmarksPath);
            text.Append("}\n");
        }
        return text.ToString();
    }

    public static void Write(string path, IReadOnlyList<ProjectorEmbedding> embeddings) =>
        File.WriteAllText(path, Format(embeddings), new UTF8Encoding(false));

    private static void Field(StringBuilder text, int depth, string name, string value) =>
        text.Append(' ', depth * 2).Append(name).Append(": ").Append(Quote(value)).Append('\n');

    private static void Number(StringBuilder text, int depth, string name, int value) =>
        text.Append(' ', depth * 2).Append(name).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>A protobuf text-format string: double quotes, with quotes, backslashes and control characters escaped.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) quoted.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
