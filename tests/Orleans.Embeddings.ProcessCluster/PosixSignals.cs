using System.Runtime.InteropServices;

namespace Orleans.Embeddings.ProcessCluster;

/// <summary>
/// Sends signals to processes. .NET's Process.Kill only sends SIGKILL; a graceful stop, the way an orchestrator
/// stops a container, is SIGTERM, which the .NET host turns into an orderly shutdown.
/// </summary>
public static partial class PosixSignals
{
    private const int SigTerm = 15;

    public static void Terminate(int processId)
    {
        if (kill(processId, SigTerm) != 0)
            throw new InvalidOperationException($"SIGTERM to process {processId} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
