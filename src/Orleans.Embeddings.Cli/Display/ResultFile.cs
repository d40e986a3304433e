using System.Globalization;
using System.Text;
using Grpc.Core;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Display;

/// <summary>A completed job's map as a TSV: a header "id, x, y[, z]", then one row per point in the job's order.</summary>
public static class ResultFile
{
    public static async Task Write(GatewayClient client, string jobId, string path, CancellationToken cancellation)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        var rows = 0;
        using var call = client.Jobs.StreamResult(new StreamResultRequest { JobId = jobId }, cancellationToken: cancellation);
        await foreach (var page in call.ResponseStream.ReadAllAsync(cancellation))
        {
            if (rows == 0) await writer.WriteLineAsync(string.Join('\t', new[] { "id", "x", "y", "z" }.Take(page.Dimensions + 1)));
            for (var i = 0; i < page.Ids.Count; i++)
            {
                var line = new StringBuilder(page.Ids[i]);
                for (var d = 0; d < page.Dimensions; d++)
                    line.Append('\t').Append(page.Coordinates[i * page.Dimensions + d].ToString("R", CultureInfo.InvariantCulture));
                await writer.WriteLineAsync(line, cancellation);
            }
            rows += page.Ids.Count;
        }
        Console.WriteLine($"Wrote the map of job {jobId} ({rows} points) to {path}.");
    }
}
