using Cortex.Tensors;

namespace Cortex.OpenCL;

/// <summary>
/// A <see cref="DeviceBuffer"/> in an OpenCL device's global memory (a <c>cl_mem</c>), owned by one
/// <see cref="OpenClBackend"/>. Disposing it releases the memory object; a forgotten buffer is
/// released by the finalizer of its handle.
/// </summary>
public sealed class OpenClBuffer : DeviceBuffer
{
    private readonly ClHandle? _memory;

    internal OpenClBuffer(OpenClBackend owner, int length, ClHandle? memory) : base(length)
    {
        Owner = owner;
        _memory = memory;
    }

    /// <summary>The backend that allocated the buffer; only it may use the buffer.</summary>
    public OpenClBackend Owner { get; }

    /// <summary>The <c>cl_mem</c> handle; 0 for an empty buffer.</summary>
    internal nint Handle => _memory?.Value ?? 0;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory?.Dispose();
    }
}
