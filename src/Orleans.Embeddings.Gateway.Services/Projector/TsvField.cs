using System.Text;

namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// One field of a Projector TSV. The projectors split rows on '\n' and fields on '\t' and know no quoting, so a
/// tab or line break inside a value would cut the row: they are written as the escapes \t, \n and \r, and a
/// backslash as \\, which keeps the escaping reversible.
/// </summary>
public static class TsvField
{
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\t\n\r") < 0) return value;
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => c.ToString(),
            });
        return escaped.ToString();
    }

    public static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var value = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                value.Append(field[i]);
                continue;
            }
            value.Append(field[++i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                var other => other,
            });
        }
        return value.ToString();
    }
}
