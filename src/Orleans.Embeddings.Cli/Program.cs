using Orleans.Embeddings.Cli;

return await CliApplication.Run(args);
