using Microsoft.Extensions.Configuration;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>
/// Reads variables the way the hosts read their environment: through Microsoft.Extensions.Configuration's
/// environment-variable provider, which maps "__" to ":". The variables are set in this process under a prefix of
/// their own, which the provider strips, so tests that run at the same time never see each other's.
/// </summary>
public static class EnvironmentBinding
{
    public static IConfigurationRoot Read(IReadOnlyDictionary<string, string> variables, string prefix = "")
    {
        var isolation = $"EMBEDDINGS_TEST_{Guid.NewGuid():N}_";
        foreach (var (key, value) in variables) Environment.SetEnvironmentVariable(isolation + key, value);
        try
        {
            // Building loads the providers: the configuration keeps the values after the variables are gone.
            return new ConfigurationBuilder().AddEnvironmentVariables(isolation + prefix).Build();
        }
        finally
        {
            foreach (var key in variables.Keys) Environment.SetEnvironmentVariable(isolation + key, null);
        }
    }
}
