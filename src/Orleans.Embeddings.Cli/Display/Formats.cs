using System.Globalization;
using Orleans.Embeddings.Api.V1;

namespace Orleans.Embeddings.Cli.Display;

/// <summary>How numbers and states read on the console.</summary>
public static class Formats
{
    public static string Kl(Job job) => job.HasKlDivergence ? job.KlDivergence.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    public static string Seconds(double seconds) => seconds switch
    {
        < 60 => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s",
        < 3600 => $"{(int)seconds / 60} min {(int)seconds % 60:D2} s",
        _ => $"{(int)seconds / 3600} h {(int)seconds % 3600 / 60:D2} min",
    };

    public static string State(JobState state) => state switch
    {
        JobState.Running => "running",
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => "unknown",
    };

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
