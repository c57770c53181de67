using System;
using System.IO;

namespace Cortex.Serialization;

/// <summary>
/// Replace-by-rename: the bytes go to a temporary file in the target's directory, are flushed to the
/// disk, and only then is the temporary file renamed over the target. Until the rename the old file is
/// untouched; the rename itself is atomic on one volume. A failure removes the temporary file.
/// </summary>
internal static class AtomicFile
{
    private const int Chunk = 1 << 16;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="content">Its new bytes.</param>
    /// <param name="wrapTemporary">Test seam: wraps the temporary file's stream (e.g. to fail after N bytes).</param>
    /// <param name="beforeReplace">Test seam: runs after the flush, just before the rename.</param>
    public static void Write(string path, byte[] content, Func<Stream, Stream>? wrapTemporary = null, Action<string>? beforeReplace = null)
    {
        string full = CheckPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
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
