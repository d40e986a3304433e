using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Orleans.Embeddings.Gateway;
using Orleans.Embeddings.Grains.Providers.Clarifai;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Deployment.Tests.Support;

/// <summary>
/// The configuration keys the programs actually bind, as their own settings classes declare them, and a check that
/// a deployment's environment uses nothing else.
/// </summary>
public static class ApplicationSettings
{
    /// <summary>Variables that are not configuration keys of the hosts, with what reads each.</summary>
    public static IReadOnlyDictionary<string, string> OtherVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ASPNETCORE_HTTP_PORTS"] = "Kestrel's default ports (the base image sets 8080)",
        ["DOTNET_SHUTDOWNTIMEOUTSECONDS"] = "the host's shutdown timeout",
        ["DOTNET_gcServer"] = "the runtime's garbage collector mode",
        ["EMBEDDINGS_ADDRESS"] = "the CLI's gateway address",
        ["EMBEDDINGS_API_KEY"] = "the CLI's API key",
        [ClarifaiOptions.PatVariable] = "the clarifai provider's token when Embeddings:Clarifai:Pat is empty",
        ["POD_NAME"] = "the downward API, for $(...) references",
        ["POD_IP"] = "the downward API, for $(...) references",
    };

    /// <summary>
    /// Binds every configuration variable of <paramref name="environment"/> into the settings classes of
    /// <paramref name="program"/>, refusing keys they lack and values that do not convert, and returns the
    /// configuration. A mistyped key would otherwise be ignored in silence and the default used.
    /// </summary>
    public static IConfiguration Check(HostProgram program, IReadOnlyDictionary<string, string> environment)
    {
        var variables = environment.Where(v => !OtherVariables.ContainsKey(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var configuration = EnvironmentBinding.Read(variables);
        var problems = new List<string>();
        foreach (var top in configuration.GetChildren())
        {
            switch (top.Key)
            {
                case "Embeddings":
                    foreach (var section in top.GetChildren()) CheckEmbeddings(program, section, problems);
                    break;
                case "Kestrel":
                    CheckKestrel(top, problems);
                    break;
                case "Logging":
                    break;
                default:
                    problems.Add($"'{top.Path}' is not a configuration section of the {program} host");
                    break;
            }
        }
        Assert.True(problems.Count == 0, $"{program}: " + string.Join("; ", problems));
        return configuration;
    }

    public static ClusterSettings Cluster(IConfiguration configuration) =>
        configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();

    /// <summary>The port of a Kestrel endpoint of the configuration ("Web", "Grpc").</summary>
    public static int EndpointPort(IConfiguration configuration, string endpoint) =>
        ParseUrl(configuration[$"Kestrel:Endpoints:{endpoint}:Url"] ?? throw new KeyNotFoundException($"Kestrel:Endpoints:{endpoint}:Url is not set.")).Port;

    /// <summary>Kestrel's URL forms: "+" and "*" stand for every address.</summary>
    public static Uri ParseUrl(string url) => new(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));

    private static void CheckEmbeddings(HostProgram program, IConfigurationSection section, List<string> problems)
    {
        var type = (program, section.Key) switch
        {
            (_, "Cluster") => typeof(ClusterSettings),
            (HostProgram.Silo, "Demo") => typeof(DemoSettings),
            (HostProgram.Silo, "Clarifai") => typeof(ClarifaiOptions),
            (_, "Gateway") => typeof(GatewaySettings),
            (HostProgram.Silo, "DataDirectory") => typeof(string),
            _ => null,
        };
        if (type is null)
        {
            problems.Add($"'{section.Path}' is not a setting of the {program} host");
            return;
        }
        if (type == typeof(string)) return;
        try
        {
            section.Get(type, options => options.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            problems.Add($"'{section.Path}': {e.Message}");
        }
    }

    private static void CheckKestrel(IConfigurationSection kestrel, List<string> problems)
    {
        foreach (var child in kestrel.GetChildren())
        {
            if (child.Key != "Endpoints")
            {
                problems.Add($"'{child.Path}' is not used here (only Kestrel:Endpoints)");
                continue;
            }
            foreach (var endpoint in child.GetChildren())
            {
                foreach (var setting in endpoint.GetChildren())
                {
                    switch (setting.Key)
                    {
                        case "Url" when IsHttpUrl(setting.Value):
                            break;
                        case "Protocols" when Enum.TryParse<HttpProtocols>(setting.Value, ignoreCase: true, out _):
                            break;
                        default:
                            problems.Add($"'{setting.Path}' = '{setting.Value}' is not a Kestrel endpoint's Url or Protocols");
                            break;
                    }
                }
            }
        }
    }

    public static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static bool IsHttpUrl(string? value)
    {
        try
        {
            return value is not null && ParseUrl(value) is { Scheme: "http", IsAbsoluteUri: true };
        }
        catch (UriFormatException)
        {
            return false;
        }
    }
}
