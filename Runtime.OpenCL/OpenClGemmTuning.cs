using System;
using System.Collections.Concurrent;
using System.IO;

namespace Cortex.OpenCL;

/// <summary>
/// The GEMM variant measured fastest per device and driver, remembered for the process and, when
/// <see cref="OpenClBackend.GemmTuningFile"/> is set, in a small text file (one "key\tvariant" line per device).
/// </summary>
internal static class OpenClGemmTuning
{
    private static readonly ConcurrentDictionary<string, string> Chosen = new(StringComparer.Ordinal);
    private static readonly object FileLock = new();

    /// <summary>Platform, device, device version and driver version: a new driver measures again.</summary>
    /// <param name="device">The device.</param>
    public static string Key(OpenClDevice device) => string.Join("|", device.PlatformName, device.PlatformVersion, device.Name, device.Version, device.DriverVersion)
        .Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>The variant chosen for the device in this process or in the tuning file; null when none is known.</summary>
    /// <param name="device">The device.</param>
    /// <param name="file">The tuning file, or null.</param>
    public static string? Lookup(OpenClDevice device, string? file)
    {
        string key = Key(device);
        if (Chosen.TryGetValue(key, out string? variant)) return variant;
        if (file is null) return null;
        string? stored = ReadFile(file, key);
        if (stored is not null) Chosen.TryAdd(key, stored);
        return stored;
    }

    /// <summary>Remembers a measured choice (and writes it to the tuning file, when there is one; a file that cannot be written is skipped).</summary>
    /// <param name="device">The device.</param>
    /// <param name="variant">The variant's name.</param>
    /// <param name="file">The tuning file, or null.</param>
    public static void Remember(OpenClDevice device, string variant, string? file)
    {
        string key = Key(device);
        Chosen[key] = variant;
        if (file is null) return;
        lock (FileLock)
        {
            try
            {
                File.AppendAllText(file, key + "\t" + variant + "\n");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The variant remembered in this process for a listed device, or "-" when none was measured yet.</summary>
    /// <param name="device">The device.</param>
    public static string Describe(OpenClDevice device) => Chosen.TryGetValue(Key(device), out string? v) ? v : "-";

    /// <summary>Forgets every in-process choice (tests).</summary>
    internal static void Clear() => Chosen.Clear();

    // The last line for the key wins; an unreadable file counts as empty.
    private static string? ReadFile(string file, string key)
    {
        lock (FileLock)
        {
            try
            {
                if (!File.Exists(file)) return null;
                string? found = null;
                foreach (string line in File.ReadAllLines(file))
                {
                    int tab = line.LastIndexOf('\t');
                    if (tab > 0 && string.Equals(line.Substring(0, tab), key, StringComparison.Ordinal)) found = line.Substring(tab + 1).Trim();
                }
                return found;
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
