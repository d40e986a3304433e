using Orleans.Embeddings.Gateway;

// Everything lives in GatewayHost so that the tests can start the very same gateway.
await GatewayHost.Create(args).RunAsync();
