using System;
using System.Runtime.InteropServices;
using System.Text;
using MemoryPack;

namespace Cortex.Serialization;

/// <summary>
/// Hand-written readers for the parts of MemoryPack's wire format a hostile file could abuse.
/// MemoryPack trusts its input in three places that matter here: a version-tolerant object may
/// carry negative member lengths (the generated reader then moves backwards when it skips a member
/// it does not know), a UTF-8 string header near int.MinValue overflows a length check, and a
/// collection header may ask for up to one element per remaining byte. Every DTO runs
/// <see cref="CheckObjectHeader"/> before its generated reader; strings and object arrays go through
/// the formatters below, which bound lengths before they allocate. All failures throw
/// <see cref="BrainFormatException"/> with the byte offset in the file.
/// </summary>
internal static class PayloadGuard
{
    private const byte NullObject = 255;
    private const byte MaxMemberCount = 249;   // 250..254 are MemoryPack's tags, not member counts
    private const int NullCollection = -1;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Offset of the payload in the file (the header's length), for messages.</summary>
    internal static long Offset(ref MemoryPackReader reader) => BrainFileHeader.Size + reader.Consumed;

    /// <summary>
    /// Peeks at a version-tolerant object header (member count, then one varint length per member) and
    /// rejects negative or out-of-range member lengths before the generated code reads (or skips by) them.
    /// </summary>
    internal static void CheckObjectHeader(ref MemoryPackReader reader, string type)
    {
        long remaining = reader.Remaining;
        if (remaining < 1) throw new BrainFormatException($"the payload ends where a {type} should start", Offset(ref reader), type);
        byte count = reader.GetSpanReference(1);
        if (count == NullObject) return;
        if (count > MaxMemberCount) throw new BrainFormatException($"{type} has an invalid member count byte {count}", Offset(ref reader), type);
        int peek = (int)Math.Min(remaining, 1 + 9L * count);
        ReadOnlySpan<byte> header = MemoryMarshal.CreateReadOnlySpan(ref reader.GetSpanReference(peek), peek);
        int at = 1;
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            long length = ReadVarInt(header, ref at);
            if (length < 0 || length > int.MaxValue)
            {
                string problem = length == long.MinValue ? "its member length table is truncated" : $"member {i} has length {length}";
                throw new BrainFormatException($"{type}: {problem}", Offset(ref reader), type);
            }
            total += length;
        }
        if (total > remaining - at)
        {
            throw new BrainFormatException($"{type}: its members claim {total} bytes but only {remaining - at} remain", Offset(ref reader), type);
        }
    }

    // MemoryPack's varint: one sbyte that is the value (−120..127) or a code for the type that follows.
    // Returns long.MinValue when the bytes run out.
    private static long ReadVarInt(ReadOnlySpan<byte> span, ref int at)
    {
        if (at >= span.Length) return long.MinValue;
        sbyte code = (sbyte)span[at++];
        int size = code switch { -121 or -122 => 1, -123 or -124 => 2, -125 or -126 => 4, -127 or -128 => 8, _ => 0 };
        if (size == 0) return code;
        if (span.Length - at < size) return long.MinValue;
        ReadOnlySpan<byte> b = span.Slice(at, size);
        at += size;
        return code switch
        {
            -121 => b[0],
            -122 => (sbyte)b[0],
            -123 => MemoryMarshal.Read<ushort>(b),
            -124 => MemoryMarshal.Read<short>(b),
            -125 => MemoryMarshal.Read<uint>(b),
            -126 => MemoryMarshal.Read<int>(b),
            -127 => MemoryMarshal.Read<ulong>(b) > long.MaxValue ? -1 : (long)MemoryMarshal.Read<ulong>(b),
            _ => MemoryMarshal.Read<long>(b),
        };
    }

    /// <summary>Reads a collection header: −1 for null, else a length in [0, <paramref name="maxCount"/>] that the remaining bytes can hold.</summary>
    internal static int ReadCount(ref MemoryPackReader reader, int maxCount, int minElementBytes, string field)
    {
        long at = Offset(ref reader);
        if (reader.Remaining < 4) throw new BrainFormatException("the payload ends inside a length", at, field);
        int count = reader.ReadUnmanaged<int>();
        if (count == NullCollection) return NullCollection;
        if (count < 0) throw new BrainFormatException($"negative length {count}", at, field);
        if (count > maxCount) throw new BrainFormatException($"{count} elements, more than the {maxCount} this format allows", at, field);
        if ((long)count * minElementBytes > reader.Remaining)
        {
            throw new BrainFormatException($"{count} elements need at least {(long)count * minElementBytes} bytes but only {reader.Remaining} remain", at, field);
        }
        return count;
    }

    /// <summary>Reads a string in MemoryPack's encoding (UTF-16 or UTF-8), bounded and strictly decoded.</summary>
    internal static string? ReadString(ref MemoryPackReader reader, int maxChars, string field)
    {
        long at = Offset(ref reader);
        if (reader.Remaining < 4) throw new BrainFormatException("the payload ends inside a string length", at, field);
        int header = reader.ReadUnmanaged<int>();
        if (header == NullCollection) return null;
        if (header == 0) return "";
        if (header > 0)
        {
            // UTF-16: header is the char count.
            if (header > maxChars) throw new BrainFormatException($"a string of {header} chars, more than the {maxChars} allowed", at, field);
            int bytes = header * 2;
            if (bytes > reader.Remaining) throw new BrainFormatException($"a string of {bytes} bytes but only {reader.Remaining} remain", at, field);
            ReadOnlySpan<byte> raw = MemoryMarshal.CreateReadOnlySpan(ref reader.GetSpanReference(bytes), bytes);
            string text = MemoryMarshal.Cast<byte, char>(raw).ToString();
            reader.Advance(bytes);
            return text;
        }
        // UTF-8: ~header is the byte count, then an int with the UTF-16 length (≤ 0: unknown), then the bytes.
        int utf8 = ~header;
        if (utf8 > 4L * maxChars) throw new BrainFormatException($"a string of {utf8} UTF-8 bytes, more than {maxChars} chars allow", at, field);
        if (utf8 + 4L > reader.Remaining) throw new BrainFormatException($"a string of {utf8} bytes but only {reader.Remaining - 4} remain", at, field);
        ReadOnlySpan<byte> all = MemoryMarshal.CreateReadOnlySpan(ref reader.GetSpanReference(utf8 + 4), utf8 + 4);
        int utf16 = MemoryMarshal.Read<int>(all);
        string value;
        try
        {
            value = StrictUtf8.GetString(all.Slice(4));
        }
        catch (DecoderFallbackException e)
        {
            throw new BrainFormatException("a string is not valid UTF-8", at, field, e);
        }
        if (utf16 > 0 && utf16 != value.Length) throw new BrainFormatException($"a string says it has {utf16} chars but decodes to {value.Length}", at, field);
        if (value.Length > maxChars) throw new BrainFormatException($"a string of {value.Length} chars, more than the {maxChars} allowed", at, field);
        reader.Advance(utf8 + 4);
        return value;
    }

    /// <summary>Skips an array of unmanaged values (4 bytes each) and returns its length (−1 for null).</summary>
    internal static int SkipFloatArray(ref MemoryPackReader reader, string field)
    {
        int count = ReadCount(ref reader, int.MaxValue / sizeof(float), sizeof(float), field);
        if (count > 0) reader.Advance(count * sizeof(float));
        return count;
    }
}

/// <summary>Strings: MemoryPack's own encoding on write, <see cref="PayloadGuard.ReadString"/> on read.</summary>
internal sealed class CheckedStringFormatter : MemoryPackFormatter<string>
{
    private readonly int _maxChars;
    private readonly string _field;

    internal CheckedStringFormatter(int maxChars, string field)
    {
        _maxChars = maxChars;
        _field = field;
    }

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref string? value) => writer.WriteString(value);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref string? value) => value = PayloadGuard.ReadString(ref reader, _maxChars, _field);
}

/// <summary>String arrays with a bounded count and bounded elements.</summary>
internal sealed class CheckedStringArrayFormatter : MemoryPackFormatter<string[]>
{
    private readonly int _maxCount, _maxChars;
    private readonly string _field;

    internal CheckedStringArrayFormatter(int maxCount, int maxChars, string field)
    {
        _maxCount = maxCount;
        _maxChars = maxChars;
        _field = field;
    }

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref string[]? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.WriteCollectionHeader(value.Length);
        foreach (string s in value) writer.WriteString(s);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref string[]? value)
    {
        int count = PayloadGuard.ReadCount(ref reader, _maxCount, 4, _field);
        if (count < 0)
        {
            value = null;
            return;
        }
        var result = new string[count];
        for (int i = 0; i < count; i++) result[i] = PayloadGuard.ReadString(ref reader, _maxChars, $"{_field}[{i}]")!;
        value = result;
    }
}

/// <summary>Arrays of version-tolerant DTOs with a bounded count (each element takes at least its one-byte header).</summary>
internal sealed class CheckedObjectArrayFormatter<T> : MemoryPackFormatter<T[]>
    where T : class
{
    private readonly int _maxCount;
    private readonly string _field;

    internal CheckedObjectArrayFormatter(int maxCount, string field)
    {
        _maxCount = maxCount;
        _field = field;
    }

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref T[]? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.WriteCollectionHeader(value.Length);
        foreach (T item in value) writer.WriteValue(item);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref T[]? value)
    {
        int count = PayloadGuard.ReadCount(ref reader, _maxCount, 1, _field);
        if (count < 0)
        {
            value = null;
            return;
        }
        var result = new T[count];
        for (int i = 0; i < count; i++) result[i] = reader.ReadValue<T>()!;
        value = result;
    }
}

/// <summary>Reads a float array's length and skips its data (for reading a file's info without its weights).</summary>
internal sealed class SkippedFloatArrayFormatter : MemoryPackFormatter<int>
{
    private readonly string _field;

    internal SkippedFloatArrayFormatter(string field) => _field = field;

    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref int value) =>
        throw new NotSupportedException("Info views are read-only.");

    public override void Deserialize(ref MemoryPackReader reader, scoped ref int value) => value = PayloadGuard.SkipFloatArray(ref reader, _field);
}
