using Orleans.Embeddings.Clarifai.Tests.Fake;

namespace Orleans.Embeddings.Clarifai.Tests;

/// <summary>
/// The fake Clarifai server and a cluster using it, shared by the tests that need no restart; each test resets the
/// server and uses its own collections and its own image content.
/// </summary>
public sealed class ClarifaiFixture : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("clarifai-tests-").FullName;

    public FakeClarifai Server { get; private set; } = null!;

    public ClarifaiCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeClarifai.Start();
        Cluster = await ClarifaiCluster.Start(Server, Path.Combine(Directory, "grains.db"));
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary file is no reason to fail the run.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClarifaiCollection : ICollectionFixture<ClarifaiFixture>
{
    public const string Name = "clarifai";
}
