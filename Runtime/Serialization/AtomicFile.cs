using System;
using System.Diagnostics;
using System.IO;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Cortex.Serialization;

/// <summary>
/// Replace-by-rename: the bytes go to a temporary file in the target's directory, are flushed to the
/// disk, and only then is the temporary file renamed over the target. Until the rename the old file is
/// untouched; the rename itself is atomic on one volume. A failure removes the temporary file.
/// A path that is a symbolic link is resolved first, so the link keeps pointing at the updated file.
/// Temporary names fit the file-system's 255-byte name limit whatever the target's name, and
/// leftovers of earlier crashed saves of the same target (older than this process) are removed.
/// </summary>
internal static class AtomicFile
{
    private const int Chunk = 1 << 16;
    private const int MaxNameBytes = 255;        // NAME_MAX on Linux/macOS (bytes), and NTFS (UTF-16 units)
    private const string Suffix = ".tmp";
    private const int UniqueChars = 16;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="content">Its new bytes.</param>
    /// <param name="wrapTemporary">Test seam: wraps the temporary file's stream (e.g. to fail after N bytes).</param>
    /// <param name="beforeReplace">Test seam: runs after the flush, just before the rename.</param>
    public static void Write(string path, byte[] content, Func<Stream, Stream>? wrapTemporary = null, Action<string>? beforeReplace = null)
    {
        string full = ResolveLinks(CheckPath(path));
        string directory = Path.GetDirectoryName(full)!;
        string stem = TemporaryStem(Path.GetFileName(full));
        RemoveStaleTemporaries(directory, stem);
        string temporary = Path.Combine(directory, stem + Unique() + Suffix);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, Chunk))
            {
                Stream target = wrapTemporary?.Invoke(stream) ?? stream;
                try
                {
                    for (int at = 0; at < content.Length; at += Chunk) target.Write(content, at, Math.Min(Chunk, content.Length - at));
                    target.Flush();
                    stream.Flush(flushToDisk: true);
                }
                finally
                {
                    if (!ReferenceEquals(target, stream)) target.Dispose();
                }
            }
            beforeReplace?.Invoke(temporary);
            Replace(temporary, full);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The full path of a file to write; throws ArgumentException for null, empty or directory paths.</summary>
    public static string CheckPath(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (path.Length == 0) throw new ArgumentException("The path is empty.", nameof(path));
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is null || Path.GetFileName(full).Length == 0)
        {
            throw new ArgumentException($"\"{path}\" names a directory, not a file.", nameof(path));
        }
        return full;
    }

    /// <summary>
    /// The part of a temporary name that identifies its target: <c>.{prefix}.{hash}.</c>, where prefix is as
    /// much of the target's name as fits and hash is XxHash64 of the whole name (so that two long names with
    /// one prefix do not share temporaries). The unique part and the suffix follow.
    /// </summary>
    internal static string TemporaryStem(string name)
    {
        ulong hash = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan()));
        int room = MaxNameBytes - (1 + 1 + 16 + 1 + UniqueChars + Suffix.Length);
        int cut = 0, bytes = 0;
        while (cut < name.Length)
        {
            int width = char.IsSurrogatePair(name, cut) ? 2 : 1;
            int size = Encoding.UTF8.GetByteCount(name.ToCharArray(cut, width));
            if (bytes + size > room) break;
            bytes += size;
            cut += width;
        }
        return $".{name.Substring(0, cut)}.{hash:x16}.";
    }

    private static readonly Lazy<DateTime?> ProcessStart = new(() =>
    {
        try
        {
            using Process self = Process.GetCurrentProcess();
            return self.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or PlatformNotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    });

    private static string Unique() => Guid.NewGuid().ToString("N").Substring(0, UniqueChars);

    /// <summary>
    /// Deletes this target's temporaries (<c>{stem}{16 hex}.tmp</c>) last written before this process
    /// started: they are leftovers of crashed saves, never a save in flight here.
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string stem)
    {
        if (ProcessStart.Value is not DateTime started) return;   // without a start time nothing is provably stale
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, ".*" + Suffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string file in candidates)
        {
            string name = Path.GetFileName(file);
            if (!IsTemporaryOf(name, stem)) continue;
            try
            {
                if (File.GetLastWriteTimeUtc(file) < started) File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: another process may hold or have removed it.
            }
        }
    }

    internal static bool IsTemporaryOf(string name, string stem)
    {
        if (name.Length != stem.Length + UniqueChars + Suffix.Length || !name.StartsWith(stem, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal))
        {
            return false;
        }
        for (int i = stem.Length; i < stem.Length + UniqueChars; i++)
        {
            char c = name[i];
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        }
        return true;
    }

    /// <summary>The file a path finally names, following symbolic links, so that saving replaces the target and keeps the link.</summary>
    private static string ResolveLinks(string full)
    {
#if NET6_0_OR_GREATER
        var info = new FileInfo(full);
        if (info.LinkTarget is null) return full;   // not a link (or no file yet)
        FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
        return target is null ? full : Path.GetFullPath(target.FullName);
#else
        var info = new FileInfo(full);
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(full);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return full;
        }
        if ((attributes & FileAttributes.ReparsePoint) == 0) return full;
        // netstandard2.1 has no link API; runtimes that have one (.NET 6+) expose it to reflection.
        var resolve = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });
        if (resolve?.Invoke(info, new object[] { true }) is FileSystemInfo target) return Path.GetFullPath(target.FullName);
        throw new IOException($"\"{full}\" is a symbolic link, which this runtime cannot resolve; save to the file it points at.");
#endif
    }

    private static void Replace(string source, string destination)
    {
#if NET5_0_OR_GREATER
        File.Move(source, destination, overwrite: true);   // rename(2) / MoveFileEx(REPLACE_EXISTING)
#else
        if (File.Exists(destination)) File.Replace(source, destination, destinationBackupFileName: null);
        else File.Move(source, destination);
#endif
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the save already failed, and that exception is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
