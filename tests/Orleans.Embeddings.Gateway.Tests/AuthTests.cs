using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Orleans.Embeddings.Api.V1;
using Orleans.Embeddings.Gateway.Tests.Support;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>A host of its own, configured with two API keys.</summary>
public sealed class AuthTests(AuthTests.KeyedHost host) : IClassFixture<AuthTests.KeyedHost>
{
    public sealed class KeyedHost : HostFixture
    {
        protected override IEnumerable<string> ExtraArguments => ["--Embeddings:Gateway:ApiKeys:0=first-key", "--Embeddings:Gateway:ApiKeys:1=second-key"];

        protected override Task Seed() => Task.CompletedTask;
    }

    [Fact]
    public async Task With_api_keys_configured_the_services_and_the_dashboard_need_one()
    {
        var collections = host.Clients.Collections;
        var missing = await Assert.ThrowsAsync<RpcException>(() => collections.ListCollectionsAsync(new ListCollectionsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("API key", missing.Status.Detail);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => collections.ListCollectionsAsync(new ListCollectionsRequest(), new Grpc.Core.Metadata { { "x-api-key", "guess" } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);

        await collections.CreateCollectionAsync(new CreateCollectionRequest { Name = "secured", Provider = "vectors" }, new Grpc.Core.Metadata { { "x-api-key", "first-key" } });
        var listed = await collections.ListCollectionsAsync(new ListCollectionsRequest(), new Grpc.Core.Metadata { { "authorization", "Bearer second-key" } });
        Assert.Equal("secured", Assert.Single(listed.Collections).Name);

        // Reflection describes the API, so it is protected too; health checks stay open for probes.
        var reflection = new Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(host.Clients.Channel);
        using (var call = reflection.ServerReflectionInfo())
        {
            try
            {
                await call.RequestStream.WriteAsync(new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" });
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // The server may refuse the call before the request is written (the write then fails as cancelled,
                // or on a call already complete); the response says why.
            }
            var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        }
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await host.Clients.Health.CheckAsync(new HealthCheckRequest())).Status);

        using var http = new HttpClient { BaseAddress = host.WebAddress };
        using var refused = await http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
        using var basic = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:second-key")));
        using var page = await http.SendAsync(basic);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The map page and its API ask for the key the same way.
        foreach (var path in new[] { "/", "/map/app.js", "/api/map/jobs" })
        {
            using var refusedPage = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refusedPage.StatusCode);
            using var keyed = new HttpRequestMessage(HttpMethod.Get, path);
            keyed.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("viewer:first-key")));
            using var answered = await http.SendAsync(keyed);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }
    }
}
