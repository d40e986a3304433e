using System.CommandLine;

namespace Orleans.Embeddings.Cli;

/// <summary>Options every command takes: where the gateway is and the key it wants.</summary>
public sealed class GlobalOptions
{
    public const string DefaultAddress = "http://localhost:5001";

    public Option<string> Address { get; } = new("--address", "-a")
    {
        Description = $"The gateway: http(s)://host:port (default {DefaultAddress}, or $EMBEDDINGS_ADDRESS).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMBEDDINGS_ADDRESS") is { Length: > 0 } address ? address : DefaultAddress,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "API key, when the gateway requires one (default $EMBEDDINGS_API_KEY).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EMBEDDINGS_API_KEY"),
    };

    public GatewayClient Connect(ParseResult parse) => new(parse.GetValue(Address)!, parse.GetValue(ApiKey));
}
