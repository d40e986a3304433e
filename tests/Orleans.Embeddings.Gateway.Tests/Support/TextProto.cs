using System.Globalization;
using System.Text;

namespace Orleans.Embeddings.Gateway.Tests.Support;

/// <summary>
/// A reader of protobuf text format, enough for projector_config.pbtxt: fields <c>name: value</c> (quoted strings
/// with escapes, or numbers) and messages <c>name { ... }</c>, repeated fields kept in order.
/// </summary>
public sealed class TextProto
{
    private readonly List<(string Name, object Value)> fields = [];

    public IEnumerable<TextProto> Messages(string name) => fields.Where(f => f.Name == name).Select(f => (TextProto)f.Value);

    public IReadOnlyList<string> Values(string name) => [.. fields.Where(f => f.Name == name).Select(f => (string)f.Value)];

    public string Value(string name) => Values(name) is [var single] ? single : throw new FormatException($"'{name}' appears {Values(name).Count} times.");

    public IReadOnlyList<int> Numbers(string name) => [.. Values(name).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    public IEnumerable<string> Names => fields.Select(f => f.Name).Distinct();

    public static TextProto Parse(string text)
    {
        var at = 0;
        var message = ParseMessage(text, ref at, nested: false);
        return message;
    }

    private static TextProto ParseMessage(string text, ref int at, bool nested)
    {
        var message = new TextProto();
        while (true)
        {
            SkipSpace(text, ref at);
            if (at == text.Length)
            {
                if (nested) throw new FormatException("A message is not closed.");
                return message;
            }
            if (text[at] == '}')
            {
                if (!nested) throw new FormatException($"An unexpected '}}' at {at}.");
                at++;
                return message;
            }
            var start = at;
            while (at < text.Length && (char.IsLetterOrDigit(text[at]) || text[at] == '_')) at++;
            if (at == start) throw new FormatException($"A field name is expected at {at}.");
            var name = text[start..at];
            SkipSpace(text, ref at);
            if (text[at] == '{')
            {
                at++;
                message.fields.Add((name, ParseMessage(text, ref at, nested: true)));
                continue;
            }
            if (text[at] != ':') throw new FormatException($"':' is expected after '{name}'.");
            at++;
            SkipSpace(text, ref at);
            message.fields.Add((name, text[at] == '"' ? ParseString(text, ref at) : ParseNumber(text, ref at)));
        }
    }

    private static string ParseString(string text, ref int at)
    {
        var value = new StringBuilder();
        at++;
        while (text[at] != '"')
        {
            if (text[at] == '\n') throw new FormatException("A string runs over a line break.");
            if (text[at] != '\\')
            {
                value.Append(text[at++]);
                continue;
            }
            at++;
            var escape = text[at++];
            value.Append(escape switch
            {
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                '"' => "\"",
                '\\' => "\\",
                '\'' => "'",
                >= '0' and <= '7' => ((char)Convert.ToInt32(text.Substring(at - 1, 3), 8)).ToString(),
                _ => throw new FormatException($"An unknown escape '\\{escape}'."),
            });
            if (escape is >= '0' and <= '7') at += 2;
        }
        at++;
        return value.ToString();
    }

    private static string ParseNumber(string text, ref int at)
    {
        var start = at;
        while (at < text.Length && (char.IsDigit(text[at]) || text[at] is '-' or '.' or 'e' or 'E' or '+')) at++;
        return at > start ? text[start..at] : throw new FormatException($"A value is expected at {start}.");
    }

    private static void SkipSpace(string text, ref int at)
    {
        while (at < text.Length && (char.IsWhiteSpace(text[at]) || text[at] == '#'))
        {
            if (text[at] == '#')
                while (at < text.Length && text[at] != '\n') at++;
            else at++;
        }
    }
}
