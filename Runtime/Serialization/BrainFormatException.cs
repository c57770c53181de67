using System;

namespace Cortex;

/// <summary>
/// The one exception a bad brain file raises — empty, truncated, corrupt, forged, from a newer format
/// version, or describing a brain this reader refuses to build. The message says what is wrong and
/// where: the byte <see cref="Offset"/> in the file and/or the <see cref="Field"/> of the payload.
/// Loading never throws anything else for bad bytes (I/O errors of the stream or file itself pass
/// through as they are).
/// </summary>
public sealed class BrainFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <param name="offset">Byte offset in the file, or −1 when the problem is not at one place.</param>
    /// <param name="field">Payload field (e.g. <c>spec.layers[2].outputs</c>), or null.</param>
    /// <param name="inner">The exception that revealed the problem, if any.</param>
    public BrainFormatException(string problem, long offset = -1, string? field = null, Exception? inner = null)
        : base(Compose(problem, offset, field), inner)
    {
        Problem = problem;
        Offset = offset;
        Field = field;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>Byte offset in the file where the problem was found, or −1.</summary>
    public long Offset { get; }

    /// <summary>The payload field at fault (e.g. <c>spec.layers[2].outputs</c>), or null.</summary>
    public string? Field { get; }

    private static string Compose(string problem, long offset, string? field)
    {
        string where = (offset >= 0, field is not null) switch
        {
            (true, true) => $" (at byte {offset}, field {field})",
            (true, false) => $" (at byte {offset})",
            (false, true) => $" (field {field})",
            _ => "",
        };
        return "Bad brain file: " + problem + where;
    }
}
