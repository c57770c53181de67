using System;
using System.Buffers.Binary;
using System.Text;

namespace Cortex.Serialization.Onnx;

/// <summary>
/// The few protobuf wire-format primitives an ONNX model needs: varints, fixed32 floats and
/// length-delimited fields (strings, bytes, packed int64s, nested messages). A nested message is built in
/// its own writer and copied in with its length, which is plenty for models of a few layers.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

    private byte[] _buffer = new byte[64];
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Writes an int64/int32/enum field (negative values take ten bytes, as protobuf specifies).</summary>
    public ProtoWriter Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    /// <summary>Writes a float field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), BitConverter.SingleToInt32Bits(value));
        return this;
    }

    /// <summary>Writes a string field as UTF-8.</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes a bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
        return this;
    }

    /// <summary>Writes a nested message.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.Written);

    /// <summary>Writes a packed repeated int64 field (nothing for an empty list).</summary>
    public ProtoWriter PackedInt64(int field, ReadOnlySpan<long> values)
    {
        if (values.IsEmpty) return this;
        var packed = new ProtoWriter();
        foreach (long v in values) packed.WriteVarint((ulong)v);
        return Bytes(field, packed.Written);
    }

    /// <summary>Writes raw little-endian floats as a bytes field (TensorProto.raw_data).</summary>
    public ProtoWriter RawFloats(int field, ReadOnlySpan<float> values)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)values.Length * 4);
        Span<byte> target = Reserve(values.Length * 4);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(target.Slice(4 * i), BitConverter.SingleToInt32Bits(values[i]));
        return this;
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)(((uint)field << 3) | (uint)wireType));

    private void WriteVarint(ulong value)
    {
        Span<byte> b = Reserve(10);
        int n = 0;
        while (value >= 0x80)
        {
            b[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        b[n++] = (byte)value;
        _length -= 10 - n;
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
