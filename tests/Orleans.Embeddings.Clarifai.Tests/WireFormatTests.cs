using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Embeddings.Clarifai.Tests.Fake;
using Orleans.Embeddings.Grains.Providers.Clarifai;

namespace Orleans.Embeddings.Clarifai.Tests;

[Collection(ClarifaiCollection.Name)]
public sealed class WireFormatTests(ClarifaiFixture fixture)
{
    [Fact]
    public void Status_codes_are_read_as_numbers_numeric_strings_or_names()
    {
        const string json = """
            {"status":{"code":"MIXED_STATUS","description":"Mixed Success"},
             "outputs":[
               {"id":"o1","status":{"code":10000},"input":{"id":"a","data":{"image":{"base64":"AAAA"}}},
                "data":{"embeddings":[{"vector":[0.5,-0.25],"num_dimensions":2}]}},
               {"id":"o2","status":{"code":"30002","description":"Input download failed"},"input":{"id":"b"}},
               {"id":"o3","status":{"code":"CONN_THROTTLED"},"input":{"id":"c"}},
               {"id":"o4","status":{"code":"SOMETHING_NEW"},"input":{"id":"d"}}]}
            """;

        var response = JsonSerializer.Deserialize(json, ClarifaiJsonContext.Default.ClarifaiResponse)!;

        Assert.Equal(ClarifaiStatusCodes.MixedStatus, response.Status!.Code);
        Assert.Equal([10000, 30002, 11005, 0], response.Outputs!.Select(o => o.Status!.Code));
        Assert.Equal(["a", "b", "c", "d"], response.Outputs!.Select(o => o.Input!.Id));
        Assert.Equal(new[] { 0.5f, -0.25f }, response.Outputs![0].Data!.Embeddings![0].Vector);
        Assert.Equal(2, response.Outputs![0].Data!.Embeddings![0].NumDimensions);
    }

    [Fact]
    public void Requests_carry_urls_as_urls_and_bytes_as_base64_in_snake_case()
    {
        var request = new ClarifaiRequest(
        [
            new ClarifaiRequestInput("in-1", ClarifaiImage.FromUrl("https://images.test/a.jpg").ToInputData()),
            new ClarifaiRequestInput("in-2", ClarifaiImage.FromBytes([1, 2, 3]).ToInputData()),
        ]);

        var json = JsonSerializer.Serialize(request, ClarifaiJsonContext.Default.ClarifaiRequest);

        Assert.Equal("""{"inputs":[{"id":"in-1","data":{"image":{"url":"https://images.test/a.jpg"}}},{"id":"in-2","data":{"image":{"base64":"AQID"}}}]}""", json);
    }

    [Fact]
    public void The_endpoint_names_the_version_only_when_one_is_set_and_content_keys_follow_the_content()
    {
        var options = new ClarifaiOptions();
        Assert.Equal("v2/users/clarifai/apps/main/models/general-image-embedding/outputs", options.OutputsPath);
        Assert.Equal("clarifai/main/general-image-embedding/latest", options.ModelKey);
        options.VersionId = "abc123";
        Assert.Equal("v2/users/clarifai/apps/main/models/general-image-embedding/versions/abc123/outputs", options.OutputsPath);

        var bytes = ClarifaiImage.FromBytes([1, 2, 3]);
        Assert.Equal(bytes.ContentKey("m"), ClarifaiImage.FromBytes([1, 2, 3]).ContentKey("m"));
        Assert.NotEqual(bytes.ContentKey("m"), ClarifaiImage.FromBytes([1, 2, 4]).ContentKey("m"));
        Assert.NotEqual(bytes.ContentKey("m"), bytes.ContentKey("another-model"));
        Assert.StartsWith("m/url-", ClarifaiImage.FromUrl("https://images.test/a.jpg").ContentKey("m"), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_come_from_configuration_with_the_token_from_CLARIFAI_PAT_and_batches_capped_at_128()
    {
        var previous = Environment.GetEnvironmentVariable(ClarifaiOptions.PatVariable);
        Environment.SetEnvironmentVariable(ClarifaiOptions.PatVariable, "from-the-environment");
        try
        {
            var fromEnvironment = Options(new() { ["Embeddings:Clarifai:ModelId"] = "another-model", ["Embeddings:Clarifai:RequestsPerSecond"] = "7.5" });
            Assert.Equal("from-the-environment", fromEnvironment.Pat);
            Assert.Equal("another-model", fromEnvironment.ModelId);
            Assert.Equal(7.5, fromEnvironment.RequestsPerSecond);
            Assert.Equal("from-configuration", Options(new() { ["Embeddings:Clarifai:Pat"] = "from-configuration" }).Pat);
            var error = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Embeddings:Clarifai:MaxBatchSize"] = "129" }));
            Assert.Contains("MaxBatchSize must be between 1 and 128", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ClarifaiOptions.PatVariable, previous);
        }
    }

    [Fact]
    public async Task The_fake_checks_the_key_and_refuses_more_than_128_inputs()
    {
        fixture.Server.Reset();
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Server.BaseUrl) };

        var wrongKey = await Post(http, "wrong", 1);
        var tooMany = await Post(http, FakeClarifai.Pat, 129);
        var enough = await Post(http, FakeClarifai.Pat, 128);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Equal(HttpStatusCode.OK, enough);
        Assert.Equal([FakeOutcome.Unauthorized, FakeOutcome.Oversized, FakeOutcome.Answered], fixture.Server.Requests.Select(r => r.Outcome));
    }

    private static async Task<HttpStatusCode> Post(HttpClient http, string pat, int inputs)
    {
        var body = JsonSerializer.Serialize(new ClarifaiRequest(
            [.. Enumerable.Range(0, inputs).Select(i => new ClarifaiRequestInput($"in-{i}", ClarifaiImage.FromUrl($"https://images.test/wire/{i}.jpg").ToInputData()))]),
            ClarifaiJsonContext.Default.ClarifaiRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, new ClarifaiOptions().OutputsPath)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Key", pat);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static ClarifaiOptions Options(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddClarifaiProvider();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ClarifaiOptions>>().Value;
    }
}
