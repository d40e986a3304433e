using System.Runtime.InteropServices;

namespace Orleans.Embeddings.Benchmarks;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime, CLOCK_THREAD_CPUTIME_ID): on a shared machine, queries per
/// CPU-second of the searching thread say what the index costs, whatever else competes for the cores.
/// </summary>
internal static partial class ThreadClock
{
    private const int ThreadCpuTime = 3;

    public static double Seconds() => OperatingSystem.IsLinux() && clock_gettime(ThreadCpuTime, out var time) == 0 ? time.Seconds + time.Nanoseconds / 1e9 : double.NaN;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
