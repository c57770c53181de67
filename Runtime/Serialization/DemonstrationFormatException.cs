using System;

namespace Cortex;

/// <summary>
/// The one exception a bad demonstration file raises — empty, truncated, corrupt, forged, from a newer
/// format version, or holding inconsistent recordings. The message says what is wrong and where (byte
/// <see cref="Offset"/> and/or payload <see cref="Field"/>).
/// </summary>
public sealed class DemonstrationFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <param name="offset">Byte offset in the file, or −1.</param>
    /// <param name="field">Payload field, or null.</param>
    /// <param name="inner">The exception that revealed the problem, if any.</param>
    public DemonstrationFormatException(string problem, long offset = -1, string? field = null, Exception? inner = null)
        : base("Bad demonstration file: " + problem + (offset >= 0 ? $" (at byte {offset}{(field is null ? "" : $", field {field}")})" : field is null ? "" : $" (field {field})"), inner)
    {
        Problem = problem;
        Offset = offset;
        Field = field;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>Byte offset in the file where the problem was found, or −1.</summary>
    public long Offset { get; }

    /// <summary>The payload field at fault, or null.</summary>
    public string? Field { get; }
}
