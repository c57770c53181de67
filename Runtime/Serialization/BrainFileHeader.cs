using System;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Cortex.Serialization;

/// <summary>What a brain file's payload holds, as announced by the header (bits 0–15 informational, 16–31 required).</summary>
[Flags]
internal enum BrainFileFlags : uint
{
    None = 0,
    OptimizerState = 1 << 0,
    RandomState = 1 << 1,
    Sections = 1 << 2,

    /// <summary>The payload holds a recurrent layer (format 2): the file is a <see cref="RecurrentBrain"/>.</summary>
    Recurrent = 1 << 3,

    /// <summary>Bits a reader must understand to load the file; formats 1 and 2 define none.</summary>
    RequiredMask = 0xFFFF0000,
}

/// <summary>
/// The fixed 32-byte header, little-endian:
/// magic (8) | format version (u16) | header length (u16) | flags (u32) | payload length (u64) |
/// XxHash64 of header bytes 0–23 followed by the payload (u64).
/// </summary>
internal readonly struct BrainFileHeader
{
    public const int Size = 32;
    /// <summary>The brain-file version written: 2 adds recurrent brains (format 1 files still load).</summary>
    public const ushort CurrentVersion = 2;

    /// <summary>The demonstration-file version (unchanged by the brain-file versions).</summary>
    internal const ushort DemonstrationVersion = 1;
    private const int HashedPrefix = 24;

    // "\x89CBRAIN\n": the high byte catches 7-bit transfers, the newline catches text-mode conversions.
    private static ReadOnlySpan<byte> Magic => new byte[] { 0x89, (byte)'C', (byte)'B', (byte)'R', (byte)'A', (byte)'I', (byte)'N', 0x0A };

    /// <summary>"\x89CDEMOS\n": demonstration files share this header layout under their own magic.</summary>
    internal static ReadOnlySpan<byte> DemonstrationMagic => new byte[] { 0x89, (byte)'C', (byte)'D', (byte)'E', (byte)'M', (byte)'O', (byte)'S', 0x0A };

    public BrainFileHeader(ushort version, BrainFileFlags flags, ulong payloadLength, ulong checksum)
    {
        Version = version;
        Flags = flags;
        PayloadLength = payloadLength;
        Checksum = checksum;
    }

    public ushort Version { get; }

    public BrainFileFlags Flags { get; }

    public ulong PayloadLength { get; }

    public ulong Checksum { get; }

    /// <summary>Writes a brain-file header of the current version for <paramref name="payload"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void Write(Span<byte> destination, BrainFileFlags flags, ReadOnlySpan<byte> payload) => Write(destination, flags, payload, Magic, CurrentVersion);

    /// <summary>Writes a header of <paramref name="version"/> under another file kind's magic (8 bytes).</summary>
    internal static void Write(Span<byte> destination, BrainFileFlags flags, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> magic, ushort version)
    {
        WriteFields(destination, version, Size, flags, (ulong)payload.Length);
        magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(HashedPrefix), ComputeChecksum(destination, payload));
    }

    /// <summary>Writes every field but the checksum (tests forge headers with this).</summary>
    internal static void WriteFields(Span<byte> destination, ushort version, ushort headerLength, BrainFileFlags flags, ulong payloadLength)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(8), version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(10), headerLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(12), (uint)flags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(16), payloadLength);
    }

    /// <summary>XxHash64 (seed 0) of the header's first 24 bytes followed by the payload.</summary>
    internal static ulong ComputeChecksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var hash = new XxHash64();
        hash.Append(header.Slice(0, HashedPrefix));
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>
    /// Parses and checks the header alone: magic, version, header length, required flags, payload length
    /// against the format limit and against <paramref name="availableAfterHeader"/> (null when unknown).
    /// </summary>
    public static BrainFileHeader Parse(ReadOnlySpan<byte> header, long? availableAfterHeader, bool exactLength) =>
        Parse(header, availableAfterHeader, exactLength, Magic, "brain file", "\\x89CBRAIN\\n", CurrentVersion);

    /// <summary><see cref="Parse(ReadOnlySpan{byte}, long?, bool)"/> for another file kind with its own magic and newest version.</summary>
    internal static BrainFileHeader Parse(ReadOnlySpan<byte> header, long? availableAfterHeader, bool exactLength, ReadOnlySpan<byte> magic, string kind, string magicText,
        ushort newestVersion)
    {
        if (header.Length == 0) throw new BrainFormatException("the file is empty", 0);
        if (header.Length < Size)
        {
            throw new BrainFormatException($"the file is {header.Length} bytes, shorter than the {Size}-byte header (truncated?)", header.Length);
        }
        if (!header.Slice(0, magic.Length).SequenceEqual(magic))
        {
            throw new BrainFormatException($"not a Cortex {kind}: the magic bytes are {Convert.ToBase64String(header.Slice(0, 8).ToArray())} (base64), not \"{magicText}\"", 0, "header.magic");
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(8));
        if (version == 0) throw new BrainFormatException("format version 0 does not exist", 8, "header.version");
        if (version > newestVersion)
        {
            throw new BrainFormatException($"format version {version} is newer than this reader, which understands up to version {newestVersion}; update Cortex", 8, "header.version");
        }
        ushort headerLength = BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(10));
        if (headerLength != Size) throw new BrainFormatException($"header length {headerLength}, but format {version} has a {Size}-byte header", 10, "header.length");
        var flags = (BrainFileFlags)BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(12));
        if ((flags & BrainFileFlags.RequiredMask) != 0)
        {
            throw new BrainFormatException($"flags 0x{(uint)flags:X8} require features this reader does not know", 12, "header.flags");
        }
        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(16));
        if (payloadLength > FormatLimits.MaxPayloadBytes)
        {
            throw new BrainFormatException($"payload length {payloadLength} exceeds the format's limit of {FormatLimits.MaxPayloadBytes} bytes", 16, "header.payloadLength");
        }
        if (availableAfterHeader is long available)
        {
            if ((long)payloadLength > available)
            {
                throw new BrainFormatException($"the header announces a {payloadLength}-byte payload but only {available} bytes follow (truncated?)", 16, "header.payloadLength");
            }
            if (exactLength && (long)payloadLength < available)
            {
                throw new BrainFormatException($"{available - (long)payloadLength} unexpected bytes follow the {payloadLength}-byte payload", Size + (long)payloadLength, "header.payloadLength");
            }
        }
        return new BrainFileHeader(version, flags, payloadLength, BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(HashedPrefix)));
    }

    /// <summary>Throws unless the payload hashes to the header's checksum.</summary>
    public void VerifyChecksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        ulong actual = ComputeChecksum(header, payload);
        if (actual != Checksum)
        {
            throw new BrainFormatException($"checksum mismatch: the header says 0x{Checksum:X16} but the content hashes to 0x{actual:X16}; the file is corrupt", HashedPrefix, "header.checksum");
        }
    }
}
