using System;

namespace Cortex.Tensors;

/// <summary>
/// A contiguous run of floats inside a <see cref="DeviceBuffer"/>: how layers see their slice of
/// the parameter arena and of the workspace. A value type; copying it copies the view, not the data.
/// </summary>
public readonly struct BufferSlice : IEquatable<BufferSlice>
{
    /// <summary>Creates a view of <paramref name="length"/> floats of <paramref name="buffer"/> from <paramref name="offset"/>.</summary>
    /// <param name="buffer">The owning buffer.</param>
    /// <param name="offset">First float.</param>
    /// <param name="length">Number of floats.</param>
    public BufferSlice(DeviceBuffer buffer, int offset, int length)
    {
        if (buffer is null) throw new ArgumentNullException(nameof(buffer));
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Slice [{offset}, {offset}+{length}) does not fit a buffer of {buffer.Length} floats.");
        }
        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    /// <summary>The buffer this slice views; null for the default (empty) slice.</summary>
    public DeviceBuffer Buffer { get; }

    /// <summary>Index of the first float within <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>True for the default slice, which views nothing.</summary>
    public bool IsEmpty => Buffer is null || Length == 0;

    /// <summary>A sub-slice relative to this slice.</summary>
    /// <param name="offset">Offset from this slice's start.</param>
    /// <param name="length">Number of floats.</param>
    public BufferSlice Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Sub-slice [{offset}, {offset}+{length}) does not fit a slice of {Length} floats.");
        }
        return new BufferSlice(Buffer, Offset + offset, length);
    }

    /// <summary>The first <paramref name="length"/> floats of this slice.</summary>
    /// <param name="length">Number of floats.</param>
    public BufferSlice Take(int length) => Slice(0, length);

    /// <summary>True when both views cover the same floats of the same buffer.</summary>
    /// <param name="other">The other slice.</param>
    public bool Equals(BufferSlice other) =>
        ReferenceEquals(Buffer, other.Buffer) && Offset == other.Offset && Length == other.Length;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BufferSlice other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Buffer, Offset, Length);

    /// <summary>True when both views cover the same floats of the same buffer.</summary>
    /// <param name="left">One slice.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(BufferSlice left, BufferSlice right) => left.Equals(right);

    /// <summary>True unless both views cover the same floats of the same buffer.</summary>
    /// <param name="left">One slice.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(BufferSlice left, BufferSlice right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => $"[{Offset}, {Offset + Length}) of {Buffer?.Length ?? 0}";
}
