using Orleans.Embeddings.Silo;

// Everything lives in SiloHost so that the tests can start the very same host on other ports.
await SiloHost.Create(args).RunAsync();
