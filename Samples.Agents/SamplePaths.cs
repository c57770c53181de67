using System;
using System.IO;

namespace Cortex.Samples.Agents;

/// <summary>
/// Checks the sample's output paths before any training, so that a bad <c>--out</c> or <c>--save</c> is a one-line
/// error in the first second rather than a failure after minutes of training (and never a lost brain).
/// </summary>
public static class SamplePaths
{
    /// <summary>The plot folder exists (it is created if missing) and a file can be written in it.</summary>
    public static void CheckOutputDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            Probe(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SampleException($"cannot write plots to '{directory}': {e.Message}");
        }
    }

    /// <summary>The brain file's folder exists, is writable, and the path is not a folder.</summary>
    public static void CheckSavePath(string path)
    {
        try
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) throw new IOException("it is a folder");
            string directory = Path.GetDirectoryName(full) ?? throw new IOException("it has no folder");
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"the folder '{directory}' does not exist");
            Probe(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SampleException($"cannot save to '{path}': {e.Message}");
        }
    }

    /// <summary>Writes a plot (or any output file) and turns an I/O failure into a one-line <see cref="SampleException"/>.</summary>
    public static string Write(string what, Func<string> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SampleException($"cannot write the {what}: {e.Message}");
        }
    }

    private static void Probe(string directory)
    {
        string probe = Path.Combine(directory, $".cortex-write-test-{Guid.NewGuid():N}.tmp");
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
        }
    }
}
