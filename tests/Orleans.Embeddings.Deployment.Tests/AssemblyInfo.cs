// The deployment runs on Linux, and so do its tests: they run the shell scripts and signal processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
