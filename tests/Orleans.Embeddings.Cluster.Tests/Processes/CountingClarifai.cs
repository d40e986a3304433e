using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orleans.Embeddings.Cluster.Tests.Processes;

/// <summary>
/// A stand-in for Clarifai's model outputs endpoint (Kestrel on a free loopback port) that every silo process of a
/// test sends its images to, and so the one place that sees every embedding the cluster pays for, whichever process
/// asked. An image is an address ending in "/ROW.png"; its vector is row ROW of the table the fake was given, so a
/// map computed from the cluster's embeddings can be compared with the engine's map of the same rows.
/// </summary>
public sealed class CountingClarifai : IAsyncDisposable
{
    public const string Pat = "process-cluster-test-pat";

    private readonly WebApplication app;
    private readonly float[] rows;
    private readonly int dimensions;
    private readonly ConcurrentDictionary<string, int> embedded = new(StringComparer.Ordinal);
    private int requests;
    private int refused;

    private CountingClarifai(WebApplication app, float[] rows, int dimensions)
    {
        this.app = app;
        this.rows = rows;
        this.dimensions = dimensions;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>How many times each image address got a vector: what Clarifai would have charged for.</summary>
    public IReadOnlyDictionary<string, int> Embedded => new Dictionary<string, int>(embedded, StringComparer.Ordinal);

    public int Requests => Volatile.Read(ref requests);

    /// <summary>Requests answered with an error (a wrong token or an unknown image): none, when the silos are configured right.</summary>
    public int Refused => Volatile.Read(ref refused);

    /// <summary>The settings that point a silo host's clarifai provider here, as environment variables.</summary>
    public IReadOnlyDictionary<string, string> SiloSettings => new Dictionary<string, string>
    {
        ["Embeddings__Clarifai__BaseUrl"] = BaseUrl,
        ["Embeddings__Clarifai__Pat"] = Pat,
        ["Embeddings__Clarifai__Dimensions"] = dimensions.ToString(CultureInfo.InvariantCulture),
        // Loopback answers in microseconds: no reason to space requests as for the real service.
        ["Embeddings__Clarifai__RequestsPerSecond"] = "500",
        ["Embeddings__Clarifai__BatchDelay"] = "00:00:00.020",
    };

    /// <summary>Where the images of a collection live; ".invalid" never resolves, so only this fake can serve them.</summary>
    public static string CollectionUrl(string collection) => $"http://images.invalid/{collection}/";

    public static string ImageUrl(string collection, int row) => $"{CollectionUrl(collection)}{row}.png";

    public static async Task<CountingClarifai> Start(float[] rows, int dimensions)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new CountingClarifai(app, rows, dimensions);
        app.MapPost("/v2/users/{user}/apps/{app}/models/{model}/outputs", fake.Handle);
        app.MapPost("/v2/users/{user}/apps/{app}/models/{model}/versions/{version}/outputs", fake.Handle);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.Single();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task Handle(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (context.Request.Headers.Authorization.ToString() != $"Key {Pat}")
        {
            await Refuse(context, 401, 11009, "API key not found");
            return;
        }

        var inputs = new List<(string Id, string Url, int Row)>();
        using (var body = await JsonDocument.ParseAsync(context.Request.Body))
        {
            foreach (var input in body.RootElement.GetProperty("inputs").EnumerateArray())
            {
                var url = input.GetProperty("data").GetProperty("image").GetProperty("url").GetString() ?? "";
                var name = url[(url.LastIndexOf('/') + 1)..];
                if (!name.EndsWith(".png", StringComparison.Ordinal) ||
                    !int.TryParse(name[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row >= rows.Length / dimensions)
                {
                    await Refuse(context, 400, 40001, $"no image at {url}");
                    return;
                }
                inputs.Add((input.GetProperty("id").GetString()!, url, row));
            }
        }

        context.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteStatus(writer, 10000, "Ok");
            writer.WriteStartArray("outputs");
            foreach (var (id, url, row) in inputs)
            {
                embedded.AddOrUpdate(url, 1, (_, n) => n + 1);
                writer.WriteStartObject();
                WriteStatus(writer, 10000, "Ok");
                writer.WriteStartObject("input");
                writer.WriteString("id", id);
                writer.WriteEndObject();
                writer.WriteStartObject("data");
                writer.WriteStartArray("embeddings");
                writer.WriteStartObject();
                writer.WriteStartArray("vector");
                foreach (var value in rows.AsSpan(row * dimensions, dimensions)) writer.WriteNumberValue(value);
                writer.WriteEndArray();
                writer.WriteNumber("num_dimensions", dimensions);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private async Task Refuse(HttpContext context, int httpStatus, int code, string description)
    {
        Interlocked.Increment(ref refused);
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { status = new { code, description } }));
    }

    private static void WriteStatus(Utf8JsonWriter writer, int code, string description)
    {
        writer.WriteStartObject("status");
        writer.WriteNumber("code", code);
        writer.WriteString("description", description);
        writer.WriteEndObject();
    }
}
