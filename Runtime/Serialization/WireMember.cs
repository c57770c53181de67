namespace Cortex.Serialization;

/// <summary>
/// What a DTO member looks like on MemoryPack's wire, so that <see cref="PayloadGuard.CheckObjectHeader"/> can
/// measure each member and compare it with the length the object's member table declares. Fixed-size
/// members are their byte count.
/// </summary>
internal enum WireMember : byte
{
    /// <summary>A byte.</summary>
    Byte = 1,

    /// <summary>An int, uint or float.</summary>
    Four = 4,

    /// <summary>A long or ulong.</summary>
    Eight = 8,

    /// <summary>An array of 4-byte values: int count (−1 null), then the values.</summary>
    Floats = 100,

    /// <summary>A string: int header (−1 null, n ≥ 0 UTF-16 chars, ~n UTF-8 bytes followed by an int), then the text.</summary>
    Text = 101,

    /// <summary>An array of strings: int count (−1 null), then each string.</summary>
    Texts = 102,

    /// <summary>A version-tolerant object: member count (255 null), member lengths, then the members.</summary>
    Object = 103,

    /// <summary>An array of version-tolerant objects: int count (−1 null), then each object.</summary>
    Objects = 104,

    /// <summary>An array of bytes: int count (−1 null), then the bytes.</summary>
    Bytes = 105,
}
