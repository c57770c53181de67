using System;

namespace Cortex.Tensors;

/// <summary>
/// A block of floats owned by one <see cref="Backends.IBackend"/>: host memory for the CPU backend,
/// device memory for OpenCL. Brains keep their parameters, gradients, optimizer moments and
/// workspaces in a few of these and hand out <see cref="BufferSlice"/>s into them.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    /// <summary>Creates a buffer of <paramref name="length"/> floats.</summary>
    /// <param name="length">Number of floats, at least 0.</param>
    protected DeviceBuffer(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length must be non-negative.");
        Length = length;
    }

    /// <summary>Number of floats in the buffer.</summary>
    public int Length { get; }

    /// <summary>True once <see cref="Dispose()"/> has run.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The whole buffer as a slice.</summary>
    public BufferSlice All => new(this, 0, Length);

    /// <summary>A slice of <paramref name="length"/> floats starting at <paramref name="offset"/>.</summary>
    /// <param name="offset">First float of the slice.</param>
    /// <param name="length">Number of floats.</param>
    public BufferSlice Slice(int offset, int length) => new(this, offset, length);

    /// <summary>Releases the memory.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the memory; called once.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>, false from a finalizer.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
