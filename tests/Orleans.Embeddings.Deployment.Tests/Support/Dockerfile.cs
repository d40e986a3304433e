using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>deploy/Dockerfile as its stages and instructions: continuation lines joined, comments dropped.</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public static string RelativePath => "deploy/Dockerfile";

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stage `docker build` produces without a --target: the image.</summary>
    public DockerStage Final => Stages[^1];

    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    public static Dockerfile Load()
    {
        var stages = new List<DockerStage>();
        foreach (var (keyword, arguments) in Instructions(File.ReadAllLines(Repository.PathOf(RelativePath))))
        {
            if (keyword == "FROM")
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new DockerStage(words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(new DockerInstruction(keyword, arguments));
            }
        }
        return new Dockerfile(stages);
    }

    private static IEnumerable<(string Keyword, string Arguments)> Instructions(IEnumerable<string> lines)
    {
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#'))) continue;
            // Comment lines inside a continued instruction are dropped too, as Docker does.
            if (line.StartsWith('#')) continue;
            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1]).Append(' ');
                continue;
            }
            current.Append(line);
            var text = current.ToString().Trim();
            current.Clear();
            var space = text.IndexOf(' ');
            yield return space < 0 ? (text.ToUpperInvariant(), "") : (text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }

    /// <summary>Words of an ENV or LABEL instruction, split on spaces outside quotes, with the quotes removed.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Pairs(string arguments)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var started = false;
        foreach (var c in arguments)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null;
                else word.Append(c);
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                started = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (started || word.Length > 0) words.Add(word.ToString());
                word.Clear();
                started = false;
            }
            else
            {
                word.Append(c);
                started = true;
            }
        }
        if (started || word.Length > 0) words.Add(word.ToString());
        foreach (var w in words)
        {
            var equals = w.IndexOf('=');
            if (equals < 0) throw new InvalidDataException($"'{w}' is not KEY=VALUE in '{arguments}'.");
            yield return new(w[..equals], w[(equals + 1)..]);
        }
    }

    /// <summary>The exec form of a CMD, ENTRYPOINT or HEALTHCHECK CMD: a JSON array of words.</summary>
    public static string[] ExecForm(string arguments) =>
        JsonSerializer.Deserialize<string[]>(arguments) ?? throw new InvalidDataException($"'{arguments}' is not a JSON array.");

    /// <summary>Every `dotnet publish PROJECT ... -o DIRECTORY` of a RUN instruction.</summary>
    public static IEnumerable<(string Project, string Output)> Publishes(DockerStage stage) =>
        stage.All("RUN").Select(run => PublishCommand().Match(run.Arguments)).Where(m => m.Success)
            .Select(m => (m.Groups["project"].Value, m.Groups["output"].Value));

    [GeneratedRegex(@"dotnet publish (?<project>\S+\.csproj)\b.*?\s-o\s+(?<output>\S+)")]
    private static partial Regex PublishCommand();
}

public sealed record DockerStage(string BaseImage, string? Name, List<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>The environment the stage's ENV instructions give every container of the image.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        All("ENV").SelectMany(e => Dockerfile.Pairs(e.Arguments)).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Labels =>
        All("LABEL").SelectMany(e => Dockerfile.Pairs(e.Arguments)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}

public sealed record DockerInstruction(string Keyword, string Arguments);
