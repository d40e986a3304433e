namespace Orleans.Embeddings.ProcessCluster;

/// <summary>A process's peak resident memory as Linux reports it.</summary>
public static class PeakMemory
{
    /// <summary>A running process's peak resident memory so far (VmHWM), in megabytes; 0 once it has gone.</summary>
    public static double Megabytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            // "VmHWM:\t 7654321 kB": a tab, then spaces only below 10,000,000 kB, so split on any white space.
            return line is null ? 0 : double.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
