using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Orleans.Embeddings.Clarifai.Tests.Fake;

/// <summary>
/// A local stand-in for Clarifai's model outputs endpoint (Kestrel on a free loopback port) that speaks the
/// documented wire format: POST /v2/users/{user}/apps/{app}/models/{model}[/versions/{version}]/outputs with
/// "Authorization: Key PAT", inputs by url or base64, outputs naming their input by id. Every output's vector is
/// <see cref="FakeVectors.For"/> of the input's content, and outputs come back shuffled. It can be told to throttle,
/// go down for a while, say the model is loading, fail some inputs, return wrong dimensions, or refuse a request.
/// </summary>
public sealed class FakeClarifai : IAsyncDisposable
{
    public const string Pat = "test-pat-0123456789";
    public const int MaxInputs = 128;

    private readonly WebApplication app;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private readonly ConcurrentQueue<FakeRequest> requests = new();
    private readonly ConcurrentDictionary<string, int> embedded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> uploads = new(StringComparer.Ordinal);
    private readonly HashSet<string> failing = new(StringComparer.Ordinal);
    private readonly HashSet<string> shortVectors = new(StringComparer.Ordinal);
    private readonly HashSet<string> refused = new(StringComparer.Ordinal);
    private readonly HashSet<string> tryAgainOnce = new(StringComparer.Ordinal);
    private string expectedPat = Pat;
    private TimeSpan downUntil;
    private int throttleNext;
    private int busyNext;
    private int downAnswers;

    private FakeClarifai(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Requests => [.. requests];

    /// <summary>How many times each input key got a vector: Clarifai would have charged for each.</summary>
    public IReadOnlyDictionary<string, int> Embedded => new Dictionary<string, int>(embedded);

    /// <summary>The decoded bytes of every base64 input, by key.</summary>
    public IReadOnlyDictionary<string, byte[]> Uploads => new Dictionary<string, byte[]>(uploads);

    public static async Task<FakeClarifai> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // 128 images of a few hundred bytes, as base64 JSON: well under Kestrel's default 30 MB, but say so.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 256 * 1024 * 1024);
        var app = builder.Build();
        var fake = new FakeClarifai(app);
        app.MapPost("/v2/users/{user}/apps/{app}/models/{model}/outputs", fake.Handle);
        app.MapPost("/v2/users/{user}/apps/{app}/models/{model}/versions/{version}/outputs", fake.Handle);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.Single();
        return fake;
    }

    /// <summary>Forgets the requests and every instruction; the expected token is <see cref="Pat"/> again.</summary>
    public void Reset()
    {
        lock (gate)
        {
            requests.Clear();
            embedded.Clear();
            uploads.Clear();
            failing.Clear();
            shortVectors.Clear();
            refused.Clear();
            tryAgainOnce.Clear();
            expectedPat = Pat;
            downUntil = TimeSpan.Zero;
            throttleNext = busyNext = downAnswers = 0;
        }
    }

    public void ExpectPat(string pat)
    {
        lock (gate) expectedPat = pat;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with HTTP 429 and CONN_THROTTLED.</summary>
    public void Throttle(int count)
    {
        lock (gate) throttleNext = count;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with HTTP 200 and status 21355 (model loading).</summary>
    public void Busy(int count)
    {
        lock (gate) busyNext = count;
    }

    /// <summary>For <paramref name="duration"/> from now, answers 503 or drops the connection, in turn.</summary>
    public void GoDown(TimeSpan duration)
    {
        lock (gate) downUntil = clock.Elapsed + duration;
    }

    /// <summary>These inputs fail with 30002 (input download failed) until <see cref="Heal"/>.</summary>
    public void FailDownloads(IEnumerable<string> keys)
    {
        lock (gate) failing.UnionWith(keys);
    }

    /// <summary>These inputs get a 512-dimensional vector until <see cref="Heal"/>.</summary>
    public void ReturnShortVectors(IEnumerable<string> keys)
    {
        lock (gate) shortVectors.UnionWith(keys);
    }

    /// <summary>A request holding any of these inputs is refused whole: HTTP 400, invalid request, no outputs.</summary>
    public void RefuseRequestsWith(IEnumerable<string> keys)
    {
        lock (gate) refused.UnionWith(keys);
    }

    /// <summary>These inputs' outputs say 10030 (try again) the first time they are asked for.</summary>
    public void TryAgainOnce(IEnumerable<string> keys)
    {
        lock (gate) tryAgainOnce.UnionWith(keys);
    }

    /// <summary>Stops failing inputs, shortening vectors and refusing requests.</summary>
    public void Heal()
    {
        lock (gate)
        {
            failing.Clear();
            shortVectors.Clear();
            refused.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task Handle(HttpContext context)
    {
        var at = clock.Elapsed;
        List<(string Id, string Key, string? Url)> inputs;
        try
        {
            inputs = await ReadInputs(context.Request);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            await Answer(context, 400, w => Status(w, 11100, "Bad request format", e.Message));
            return;
        }
        var keys = inputs.Select(i => i.Key).ToArray();

        FakeOutcome outcome;
        var abort = false;
        var tryAgain = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string> failNow, shortNow;
        lock (gate)
        {
            if (context.Request.Headers.Authorization.ToString() != $"Key {expectedPat}") outcome = FakeOutcome.Unauthorized;
            else if (inputs.Count > MaxInputs) outcome = FakeOutcome.Oversized;
            else if (at < downUntil)
            {
                outcome = FakeOutcome.Down;
                abort = downAnswers++ % 2 == 1;
            }
            else if (throttleNext > 0)
            {
                throttleNext--;
                outcome = FakeOutcome.Throttled;
            }
            else if (busyNext > 0)
            {
                busyNext--;
                outcome = FakeOutcome.Busy;
            }
            else if (keys.Any(refused.Contains)) outcome = FakeOutcome.Rejected;
            else
            {
                outcome = FakeOutcome.Answered;
                foreach (var key in keys)
                    if (tryAgainOnce.Remove(key))
                        tryAgain.Add(key);
            }
            failNow = [.. failing];
            shortNow = [.. shortVectors];
        }
        requests.Enqueue(new FakeRequest(at, keys, outcome));

        switch (outcome)
        {
            case FakeOutcome.Unauthorized:
                await Answer(context, 401, w => Status(w, 11009, "API key not found"));
                return;
            case FakeOutcome.Oversized:
                await Answer(context, 400, w => Status(w, 11102, "Invalid request", $"{inputs.Count} inputs; at most {MaxInputs} are allowed"));
                return;
            case FakeOutcome.Down when abort:
                context.Abort();
                return;
            case FakeOutcome.Down:
                context.Response.StatusCode = 503;
                await context.Response.WriteAsync("<html><body>Service Unavailable</body></html>");
                return;
            case FakeOutcome.Throttled:
                await Answer(context, 429, w =>
                {
                    w.WriteStartObject("status");
                    w.WriteString("code", "CONN_THROTTLED");
                    w.WriteString("description", "Making too many requests");
                    w.WriteString("details", "exceeded limit of 15 requests per second");
                    w.WriteEndObject();
                });
                return;
            case FakeOutcome.Busy:
                await Answer(context, 200, w => Status(w, 21355, "Model is loading"));
                return;
            case FakeOutcome.Rejected:
                await Answer(context, 400, w => Status(w, 40001, "Invalid request", "an input could not be read"));
                return;
        }

        // Shuffled, so that an output routed by position lands on the wrong image.
        var order = Enumerable.Range(0, inputs.Count).ToArray();
        new Random(requests.Count).Shuffle(order);
        var failures = inputs.Count(i => failNow.Contains(i.Key) || tryAgain.Contains(i.Key));
        var overall = failures == 0 ? (10000, "Ok", 200) : failures < inputs.Count ? (10010, "Mixed Success", 200) : (10020, "Failure", 400);
        await Answer(context, overall.Item3, w =>
        {
            Status(w, overall.Item1, overall.Item2);
            w.WriteStartArray("outputs");
            foreach (var index in order)
            {
                var (id, key, url) = inputs[index];
                w.WriteStartObject();
                w.WriteString("id", $"out-{Guid.NewGuid():N}");
                if (tryAgain.Contains(key)) Status(w, 10030, "Try again");
                else if (failNow.Contains(key)) Status(w, 30002, "Input download failed", "could not fetch the image");
                else Status(w, 10000, "Ok");
                w.WriteStartObject("input");
                w.WriteString("id", id);
                w.WriteStartObject("data");
                w.WriteStartObject("image");
                if (url is not null) w.WriteString("url", url);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("data");
                if (!tryAgain.Contains(key) && !failNow.Contains(key))
                {
                    var vector = FakeVectors.For(key, shortNow.Contains(key) ? 512 : FakeVectors.Dimensions);
                    embedded.AddOrUpdate(key, 1, (_, n) => n + 1);
                    w.WriteStartArray("embeddings");
                    w.WriteStartObject();
                    w.WriteStartArray("vector");
                    foreach (var value in vector) w.WriteNumberValue(value);
                    w.WriteEndArray();
                    w.WriteNumber("num_dimensions", vector.Length);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private async Task<List<(string Id, string Key, string? Url)>> ReadInputs(HttpRequest request)
    {
        using var body = await JsonDocument.ParseAsync(request.Body);
        var inputs = new List<(string, string, string?)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in body.RootElement.GetProperty("inputs").EnumerateArray())
        {
            var id = input.GetProperty("id").GetString() ?? throw new FormatException("An input has no id.");
            if (!ids.Add(id)) throw new FormatException($"Input id {id} appears twice.");
            var image = input.GetProperty("data").GetProperty("image");
            if (image.TryGetProperty("url", out var url))
                inputs.Add((id, FakeVectors.KeyOf(url.GetString()!), url.GetString()));
            else
            {
                var bytes = image.GetProperty("base64").GetBytesFromBase64();
                var key = FakeVectors.KeyOf(bytes);
                uploads.TryAdd(key, bytes);
                inputs.Add((id, key, null));
            }
        }
        return inputs;
    }

    private static void Status(Utf8JsonWriter writer, int code, string description, string? details = null)
    {
        writer.WriteStartObject("status");
        writer.WriteNumber("code", code);
        writer.WriteString("description", description);
        if (details is not null) writer.WriteString("details", details);
        writer.WriteEndObject();
    }

    private static async Task Answer(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }
}
