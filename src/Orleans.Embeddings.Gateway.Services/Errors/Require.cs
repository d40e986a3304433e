using System.Text.RegularExpressions;

namespace Orleans.Embeddings.Gateway.Errors;

/// <summary>Checks of request fields that throw INVALID_ARGUMENT naming the field.</summary>
public static partial class Require
{
    public const int MaxNameLength = 100;

    public const int MaxIdLength = 512;

    /// <summary>A collection name or job id: it is part of grain keys, which use '/' as a separator.</summary>
    public static string Name(string value, string field)
    {
        if (string.IsNullOrEmpty(value)) throw Problems.Invalid(field, "required");
        if (value.Length > MaxNameLength) throw Problems.Invalid(field, $"{value.Length} characters; at most {MaxNameLength}");
        if (!NamePattern().IsMatch(value)) throw Problems.Invalid(field, $"'{value}' may hold only letters, digits, '.', '_' and '-'");
        return value;
    }

    /// <summary>An image id, or the reason it is not one.</summary>
    public static string? IdProblem(string value)
    {
        if (string.IsNullOrEmpty(value)) return "required";
        if (value.Length > MaxIdLength) return $"{value.Length} characters; at most {MaxIdLength}";
        if (value.Any(char.IsControl)) return "must not contain control characters";
        return null;
    }

    public static string Id(string value, string field) => IdProblem(value) is { } problem ? throw Problems.Invalid(field, problem) : value;

    /// <summary>A vector of finite values, or the reason it is not one.</summary>
    public static string? VectorProblem(IReadOnlyList<float> values, int dimensions)
    {
        if (values.Count == 0) return "empty";
        for (var i = 0; i < values.Count; i++)
            if (!float.IsFinite(values[i]))
                return $"value {i} is {values[i]}, not a finite number";
        if (dimensions > 0 && values.Count != dimensions) return $"{values.Count} values where {dimensions} are expected";
        return null;
    }

    public static void Range(int value, int min, int max, string field)
    {
        if (value < min || value > max) throw Problems.Invalid(field, $"{value} is outside {min} to {max}");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
