using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Orleans.Embeddings;

/// <summary>
/// Checks a settings section when the host starts (<c>ValidateOnStart</c>), so that a value out of range stops the
/// host at once, naming each key and its value, instead of failing the first request that reads it.
/// </summary>
public static class SettingsValidation
{
    /// <param name="section">The section's path, which each problem's key is prefixed with.</param>
    /// <param name="problems">Each key that is out of range, as "Key must ...; it is VALUE".</param>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> options, string section, Func<T, IEnumerable<string>> problems)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Services.AddSingleton<IValidateOptions<T>>(new Validator<T>(options.Name, section, problems));
        return options.ValidateOnStart();
    }

    private sealed class Validator<T>(string? name, string section, Func<T, IEnumerable<string>> problems) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && name != optionsName) return ValidateOptionsResult.Skip;
            var found = problems(options).Select(problem => $"{section}:{problem}").ToList();
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}
