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
    /// rejects negative or out-of-range member lengths before the generated code reads (or skips by) them;
    /// then measures each member this reader knows (<paramref name="schema"/>, by order) in the bytes that follow
    /// and rejects a declared length that differs from the member's real length. Members past the schema
    /// (added by a later format) are only bounded: they are skipped by their declared lengths.
    /// </summary>
    internal static void CheckObjectHeader(ref MemoryPackReader reader, string type, WireMember[] schema)
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
        Span<long> declared = stackalloc long[Math.Min((int)count, schema.Length)];
        for (int i = 0; i < count; i++)
        {
            long length = ReadVarInt(header, ref at);
            if (length < 0 || length > int.MaxValue)
            {
                string problem = length == long.MinValue ? "its member length table is truncated" : $"member {i} has length {length}";
                throw new BrainFormatException($"{type}: {problem}", Offset(ref reader), type);
            }
            if (i < declared.Length) declared[i] = length;
            total += length;
        }
        if (total > remaining - at)
        {
            throw new BrainFormatException($"{type}: its members claim {total} bytes but only {remaining - at} remain", Offset(ref reader), type);
        }
        if (declared.Length == 0) return;

        // The members lie one after the other from the end of the table; each must be as long as declared.
        int body = (int)Math.Min(remaining, at + total);
        ReadOnlySpan<byte> span = MemoryMarshal.CreateReadOnlySpan(ref reader.GetSpanReference(body), body);
        long start = at;
        for (int i = 0; i < declared.Length; i++)
        {
            long actual = Measure(span, start, schema[i]);
            if (actual != declared[i])
            {
                string real = actual < 0 ? "bytes that are not one" : $"{actual} bytes";
                throw new BrainFormatException($"{type}: member {i} is declared {declared[i]} bytes long but holds {real}", Offset(ref reader) + start, type);
            }
            start += actual;
        }
    }

    // The real length of one member at span[at..], or −1 when it does not fit or is malformed (a nested
    // object's own table is checked again, in full, when its reader runs).
    private static long Measure(ReadOnlySpan<byte> span, long at, WireMember kind)
    {
        long left = span.Length - at;
        switch (kind)
        {
            case WireMember.Byte:
            case WireMember.Four:
            case WireMember.Eight:
                return (int)kind <= left ? (int)kind : -1;
            case WireMember.Floats:
            case WireMember.Bytes:
            {
                if (left < 4) return -1;
                int n = MemoryMarshal.Read<int>(span.Slice((int)at));
                if (n == NullCollection) return 4;
                long length = 4 + (kind == WireMember.Bytes ? 1L : 4L) * n;
                return n < 0 || length > left ? -1 : length;
            }
            case WireMember.Text:
                return MeasureText(span, at);
            case WireMember.Texts:
            case WireMember.Objects:
            {
                if (left < 4) return -1;
                int n = MemoryMarshal.Read<int>(span.Slice((int)at));
                if (n == NullCollection) return 4;
                if (n < 0 || n > left) return -1;
                long length = 4;
                for (int k = 0; k < n; k++)
                {
                    long one = kind == WireMember.Texts ? MeasureText(span, at + length) : MeasureObject(span, at + length);
                    if (one < 0) return -1;
                    length += one;
                }
                return length;
            }
            default:
                return MeasureObject(span, at);
        }
    }

    private static long MeasureText(ReadOnlySpan<byte> span, long at)
    {
        long left = span.Length - at;
        if (left < 4) return -1;
        int header = MemoryMarshal.Read<int>(span.Slice((int)at));
        long length = header == NullCollection ? 4 : header >= 0 ? 4 + 2L * header : 8 + (long)~header;
        return length > left ? -1 : length;
    }

    private static long MeasureObject(ReadOnlySpan<byte> span, long at)
    {
        if (at >= span.Length) return -1;
        byte count = span[(int)at];
        if (count == NullObject) return 1;
        if (count > MaxMemberCount) return -1;
        ReadOnlySpan<byte> rest = span.Slice((int)at);
        int cursor = 1;
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            long length = ReadVarInt(rest, ref cursor);
            if (length < 0 || length > int.MaxValue) return -1;
            total += length;
        }
        long all = cursor + total;
        return all > rest.Length ? -1 : all;
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
            ReadOnlySpan<char> chars = MemoryMarshal.Cast<byte, char>(raw);
            int lone = FirstLoneSurrogate(chars);
            if (lone >= 0) throw new BrainFormatException($"a string holds a lone surrogate (U+{(int)chars[lone]:X4}) at char {lone}, which no text encoding can carry", at, field);
            string text = chars.ToString();
            reader.Advance(bytes);
            return text;
        }
        // UTF-8: ~header is the byte count, then an int with the UTF-16 length (≤ 0: unknown), then the bytes.
        // One UTF-16 char takes at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 chars).
        int utf8 = ~header;
        if (utf8 > 3L * maxChars) throw new BrainFormatException($"a string of {utf8} UTF-8 bytes, more than {maxChars} chars can take", at, field);
        if (utf8 + 4L > reader.Remaining) throw new BrainFormatException($"a string of {utf8} bytes but only {reader.Remaining - 4} remain", at, field);
        ReadOnlySpan<byte> all = MemoryMarshal.CreateReadOnlySpan(ref reader.GetSpanReference(utf8 + 4), utf8 + 4);
        int utf16 = MemoryMarshal.Read<int>(all);
        ReadOnlySpan<byte> bytesOfText = all.Slice(4);
        string value;
        try
        {
            // Count first (no allocation), so that a string over the limit is refused before it is decoded.
            int length = CountChars(bytesOfText);
            if (length > maxChars) throw new BrainFormatException($"a string of {length} chars, more than the {maxChars} allowed", at, field);
            if (utf16 > 0 && utf16 != length) throw new BrainFormatException($"a string says it has {utf16} chars but decodes to {length}", at, field);
            value = Decode(bytesOfText);
        }
        catch (DecoderFallbackException e)
        {
            throw new BrainFormatException("a string is not valid UTF-8", at, field, e);
        }
        reader.Advance(utf8 + 4);
        return value;
    }

    /// <summary>Index of the first surrogate char that is not half of a high-low pair, or −1.</summary>
    internal static int FirstLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    private static int CountChars(ReadOnlySpan<byte> utf8) => StrictUtf8.GetCharCount(utf8);

    private static string Decode(ReadOnlySpan<byte> utf8) => StrictUtf8.GetString(utf8);

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
