using Cortex.Tensors;

namespace Cortex.OpenCL;

/// <summary>
/// A <see cref="DeviceBuffer"/> in an OpenCL device's global memory (a <c>cl_mem</c>), owned by one
/// <see cref="OpenClBackend"/>. Disposing it releases the memory object; a forgotten buffer is
/// released by the finalizer of its handle. On a device that shares the host's memory the buffer's
/// storage is a fine-grained SVM allocation the host reads and writes directly (see
/// <see cref="OpenClBackend.Upload"/>).
/// </summary>
public sealed unsafe class OpenClBuffer : DeviceBuffer
{
    private readonly ClHandle? _memory;
    private float* _host;

    internal OpenClBuffer(OpenClBackend owner, int length, ClHandle? memory, float* host = null) : base(length)
    {
        Owner = owner;
        _memory = memory;
        _host = host;
    }

    /// <summary>The backend that allocated the buffer; only it may use the buffer.</summary>
    public OpenClBackend Owner { get; }

    /// <summary>The <c>cl_mem</c> handle; 0 for an empty buffer.</summary>
    internal nint Handle => _memory?.Value ?? 0;

    /// <summary>The storage as the host sees it (a fine-grained SVM allocation), or null when the buffer lives in device memory.</summary>
    internal float* Host => _host;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _memory?.Dispose();
        float* host = _host;
        _host = null;
        if (host != null) Owner.FreeShared(host);
    }
}
