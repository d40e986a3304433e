using Microsoft.Extensions.Options;
using Orleans.Embeddings.Silo;

namespace Orleans.Embeddings.Cluster.Tests.Hosting;

/// <summary>The real host refuses to start on a setting out of range, naming the key and its value.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("Embeddings:Search:PartitionSize", "0", "Embeddings:Search:PartitionSize must be at least 1; it is 0")]
    [InlineData("Embeddings:Search:DefaultEf", "-3", "Embeddings:Search:DefaultEf must be at least 1; it is -3")]
    [InlineData("Embeddings:Search:Storage", "7", "Embeddings:Search:Storage must be Float16 or Float32; it is 7")]
    [InlineData("Embeddings:Gateway:MaxNeighbors", "0", "Embeddings:Gateway:MaxNeighbors must be at least 1; it is 0")]
    [InlineData("Embeddings:Gateway:MaxMessageBytes", "10", "Embeddings:Gateway:MaxMessageBytes must be at least 1024; it is 10")]
    public async Task A_host_with_a_setting_out_of_range_does_not_start_and_names_it(string key, string value, string problem)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("embeddings-host-");
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            {
                await using var app = SiloHost.Create(
                [
                    "--urls=http://127.0.0.1:0",
                    $"--Embeddings:DataDirectory={dataDirectory.FullName}",
                    "--Embeddings:Demo:Enabled=false",
                    $"--{key}={value}",
                ]);
                await app.StartAsync();
            });

            Assert.Equal([problem], error.Failures);
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }
}
