using System.CommandLine;

namespace Orleans.Embeddings.Cli.Commands;

/// <summary>A word option and the enum values its words stand for; unset is the enum's default (unspecified).</summary>
internal sealed record Choice<T>(Option<string?> Option, (string Word, T Value)[] Choices) where T : struct, Enum
{
    public T Value(ParseResult parse) =>
        parse.GetValue(Option) is { } word ? Choices.First(c => c.Word.Equals(word, StringComparison.OrdinalIgnoreCase)).Value : default;
}
