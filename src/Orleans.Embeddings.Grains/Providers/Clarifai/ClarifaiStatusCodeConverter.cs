using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>Reads a status code written as a number, as a numeric string, or by name ("CONN_THROTTLED").</summary>
public sealed class ClarifaiStatusCodeConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetInt32();
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"A status code is a number or a name, not {reader.TokenType}.");
        var text = reader.GetString()!;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code
            : ClarifaiStatusCodes.Names.GetValueOrDefault(text);
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
