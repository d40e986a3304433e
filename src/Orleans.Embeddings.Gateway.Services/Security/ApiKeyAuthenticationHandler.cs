using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.Embeddings.Gateway.Security;

/// <summary>
/// Accepts a request that carries one of the configured API keys: as <c>x-api-key: KEY</c> (gRPC clients),
/// <c>authorization: Bearer KEY</c>, or HTTP Basic with the key as the password (a browser opening the dashboard
/// asks for it). Keys are compared in constant time.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<GatewaySettings> settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string Policy = "ApiKey";

    public const string HeaderName = "x-api-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (!settings.Value.ApiKeys.Any(key => key.Length > 0 && Same(key, presented)))
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        const string message = "An API key is required: send it as x-api-key: KEY or authorization: Bearer KEY.";
        if (Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A trailers-only gRPC response, so that gRPC clients see UNAUTHENTICATED with the reason.
            Response.StatusCode = StatusCodes.Status200OK;
            Response.ContentType = Request.ContentType;
            Response.Headers["grpc-status"] = "16";
            Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            await Response.CompleteAsync();
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"Orleans.Embeddings\", charset=\"UTF-8\"";
        await Response.WriteAsync(message);
    }

    /// <summary>The key the request carries, if any.</summary>
    private static string? Presented(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } key, ..]) return key;
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Parameter is not { Length: > 0 } parameter)
            return null;
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return parameter;
        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':');
            return colon >= 0 ? text[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Compares hashes, so that neither the content nor the length of a key leaks through timing.</summary>
    private static bool Same(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
