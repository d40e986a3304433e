using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>
/// Posts a batch of inputs to the model's outputs endpoint through the "clarifai" HttpClient, whose resilience
/// handler (<see cref="ClarifaiResilience"/>) has already waited out throttling and transient failures, and says
/// what the final answer means: a response to route (<see cref="ClarifaiResponse"/>), a bad token
/// (<see cref="ClarifaiAuthenticationException"/>), an outage (<see cref="ClarifaiUnavailableException"/>), or a
/// request refused as a whole (<see cref="ClarifaiRejectedException"/>).
/// </summary>
public sealed class ClarifaiClient(IHttpClientFactory clients, IOptions<ClarifaiOptions> options)
{
    public const string HttpClientName = "clarifai";

    public async Task<ClarifaiResponse> PostOutputs(IReadOnlyList<ClarifaiRequestInput> inputs, CancellationToken cancellation)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Pat))
            throw new ClarifaiAuthenticationException(
                $"No Clarifai personal access token is configured: set {ClarifaiOptions.Section}:Pat or the {ClarifaiOptions.PatVariable} environment variable.");

        // Serialised once, so that every retry of the handler sends the same bytes.
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new ClarifaiRequest(inputs), ClarifaiJsonContext.Default.ClarifaiRequest));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.OutputsPath) { Content = body };
        request.Headers.Authorization = new AuthenticationHeaderValue("Key", settings.Pat);

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or RateLimiterRejectedException
                                  || e is OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            throw new ClarifaiUnavailableException(
                $"Clarifai could not be reached at {settings.BaseUrl} after {settings.MaxRetries} retries ({e.Message}); the images stay pending.", e);
        }

        using (response)
        {
            var parsed = await Read(response, cancellation);
            var status = parsed?.Status;
            var code = status?.Code ?? (response.IsSuccessStatusCode ? ClarifaiStatusCodes.Success : 0);
            var http = (int)response.StatusCode;
            var said = status is null ? $"HTTP {http}" : $"HTTP {http}, status {status}";
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || ClarifaiStatusCodes.IsBadCredentials(code))
                throw new ClarifaiAuthenticationException(
                    $"Clarifai rejected the personal access token ({said}): set a valid one in {ClarifaiOptions.Section}:Pat or {ClarifaiOptions.PatVariable}. No image was marked as failed.");
            if (ClarifaiResilience.IsTransient(response.StatusCode) || ClarifaiStatusCodes.IsRetryable(code))
                throw new ClarifaiUnavailableException($"Clarifai still answered {said} after {settings.MaxRetries} retries; the images stay pending.");
            if (parsed is null)
                throw new ClarifaiUnavailableException($"Clarifai answered HTTP {http} with a body that is not a Clarifai response; the images stay pending.");
            // A failure with outputs carries a verdict per input (every image failed, each says why).
            if (code is ClarifaiStatusCodes.Success or ClarifaiStatusCodes.MixedStatus || code == ClarifaiStatusCodes.Failure && parsed.Outputs is { Count: > 0 })
                return parsed;
            throw new ClarifaiRejectedException($"Clarifai rejected the request ({said}).");
        }
    }

    /// <summary>The top-level status code of a response, read from a buffered copy so the body can still be read whole.</summary>
    public static async ValueTask<int?> PeekStatusCode(HttpResponseMessage response, CancellationToken cancellation)
    {
        await response.Content.LoadIntoBufferAsync(cancellation);
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellation);
            return JsonSerializer.Deserialize(bytes, ClarifaiJsonContext.Default.ClarifaiStatusEnvelope)?.Status?.Code;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<ClarifaiResponse?> Read(HttpResponseMessage response, CancellationToken cancellation)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
            return await JsonSerializer.DeserializeAsync(stream, ClarifaiJsonContext.Default.ClarifaiResponse, cancellation);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
