using System.Runtime.InteropServices;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

// The staging ring's memory: a buffer the driver allocates in host memory (CL_MEM_ALLOC_HOST_PTR), mapped once and kept
// mapped, whose pointer is the source of the queued uploads. That is the "pinned" memory a discrete GPU copies from by
// DMA, without a copy of its own into pinned memory first. The staging buffer itself is never used by a command while
// it is mapped: only the host pointer is, as the source of clEnqueueWriteBuffer into other buffers. Where the driver
// refuses (no such buffer, or the map fails) the ring is ordinary host memory.
public sealed partial class OpenClBackend
{
    private ClHandle? _stagingBuffer;

    /// <summary>Whether the staging ring is a mapped CL_MEM_ALLOC_HOST_PTR buffer (false before the first staged upload, or where the driver refused).</summary>
    internal bool StagingIsPinned
    {
        get
        {
            lock (_sync) return _stagingBuffer is not null;
        }
    }

    // Replaces the staging memory by floats floats; no queued command may still read the old one.
    private unsafe void AllocateStaging(int floats)
    {
        FreeStaging();
        nuint bytes = (nuint)floats * sizeof(float);
        int status;
        nint memory = _api.CreateBuffer(_context.Value, MemFlags.ReadWrite | MemFlags.AllocHostPtr, bytes, null, &status);
        if (status == 0 && memory != 0)
        {
            var handle = new ClHandle(_api, memory, ClHandleKind.Memory, "staging");
            void* mapped = _api.EnqueueMapBuffer(_queue.Value, memory, true, MapFlags.Write, 0, bytes, 0, null, null, &status);
            if (status == 0 && mapped != null)
            {
                _commands++;
                _blockingWaits++;                  // a blocking map: every command queued before it has completed
                _completed = _commands;
                _stagingBuffer = handle;
                _staging = (nint)mapped;
                _stagingCapacity = floats;
                return;
            }
            handle.Dispose();
        }
        _staging = Marshal.AllocHGlobal((nint)bytes);
        _stagingCapacity = floats;
    }

    // Frees the staging memory; no queued command may still read it. A pinned buffer is unmapped first (in queue order)
    // and released (the driver keeps it until the unmap has run).
    private unsafe void FreeStaging()
    {
        if (_staging == 0) return;
        nint staging = _staging;
        _staging = 0;
        _stagingCapacity = 0;
        if (_stagingBuffer is null)
        {
            Marshal.FreeHGlobal(staging);
            return;
        }
        ClHandle buffer = _stagingBuffer;
        _stagingBuffer = null;
        int status = _api.EnqueueUnmapMemObject(_queue.Value, buffer.Value, (void*)staging, 0, null, null);
        if (status == 0) _commands++;
        buffer.Dispose();
        if (!_disposed) ClCheck.Status(status, "clEnqueueUnmapMemObject");
        else _api.Finish(_queue.Value);           // the backend is going: let the unmap run before the queue is released
    }
}
