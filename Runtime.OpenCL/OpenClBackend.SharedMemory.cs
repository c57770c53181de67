using System;
using System.Collections.Generic;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

// Buffers in memory the host shares with the device, and how the host waits for the device.
//
// On a device that works in the host's memory and shares fine-grained SVM buffers (OpenClDevice.SharesHostMemory: PoCL's
// CPU device, integrated GPUs) every buffer's storage is a fine-grained SVM allocation, wrapped in a cl_mem
// (CL_MEM_USE_HOST_PTR over the SVM pointer: the buffer then has the shared memory as its storage), so the kernels and
// the copy commands see an ordinary cl_mem. The host touches that memory only where the SVM rules allow it without a
// map: an upload writes it directly when no queued command is still outstanding (the queue is idle: every command
// enqueued so far is known to have completed), and the next enqueued command sees the write; a download reads it
// directly after waiting for every queued command (an idle queue needs no wait). Anything else (an upload while work
// is queued, as in a pipelined training step) takes the queued copy from the staging ring, as on any other device.
public sealed partial class OpenClBackend
{
    private readonly HashSet<nint> _shared = new();
    private long _commands, _completed;

    /// <summary>
    /// Lets tests put buffers in device memory even where the device shares the host's (default true: shared where the
    /// device allows it); read when a buffer is allocated.
    /// </summary>
    internal bool PreferSharedMemory { get; set; } = true;

    /// <summary>Whether buffers allocated now live in memory the host shares with the device.</summary>
    internal bool AllocatesShared => PreferSharedMemory && Device.SharesHostMemory;

    /// <summary>Shared allocations alive (for leak tests).</summary>
    internal int SharedAllocations
    {
        get
        {
            lock (_sync) return _shared.Count;
        }
    }

    /// <summary>Commands enqueued so far (launches, copies, markers): what a call asks of the driver, for tests.</summary>
    internal long CommandsQueued
    {
        get
        {
            lock (_sync) return _commands;
        }
    }

    // Every command enqueued so far is known to have completed.
    private bool QueueIdle => _completed == _commands;

    /// <summary>Frees a shared buffer's storage once no queued command can use it (called when the buffer is disposed).</summary>
    internal unsafe void FreeShared(float* host)
    {
        lock (_sync)
        {
            if (!_shared.Remove((nint)host)) return;          // the backend was disposed and freed it already
            if (_disposed || QueueIdle)
            {
                _api.Svmfree(_context.Value, host);
                return;
            }
            // In queue order: after every command queued so far, which may still read or write the storage.
            void* pointer = host;
            ClCheck.Status(_api.EnqueueSvmfree(_queue.Value, 1, &pointer, default, null, 0, null, null), "clEnqueueSVMFree");
            _commands++;
        }
    }

    private unsafe OpenClBuffer AllocateShared(int length, long bytes)
    {
        const ulong flags = (ulong)(MemFlags.ReadWrite | MemFlags.SvmFineGrainBuffer);
        void* host = _api.Svmalloc(_context.Value, (SvmMemFlags)flags, (nuint)bytes, 0);
        if (host == null) throw new OpenClException(-4, "clSVMAlloc", $"{bytes} bytes of shared memory on {Device.Name}");   // CL_MEM_OBJECT_ALLOCATION_FAILURE
        int status;
        nint memory = _api.CreateBuffer(_context.Value, MemFlags.ReadWrite | MemFlags.UseHostPtr, (nuint)bytes, host, &status);
        if (status != 0)
        {
            _api.Svmfree(_context.Value, host);
            ClCheck.Status(status, "clCreateBuffer");
        }
        new Span<float>(host, length).Clear();                 // no command can see the new allocation yet
        _shared.Add((nint)host);
        return new OpenClBuffer(this, length, new ClHandle(_api, memory, ClHandleKind.Memory, "buffer"), (float*)host);
    }

    // At Dispose, after the queue finished and before the context goes: the storage of buffers still alive.
    private unsafe void FreeAllShared()
    {
        foreach (nint host in _shared) _api.Svmfree(_context.Value, (void*)host);
        _shared.Clear();
    }

    // Waits until every command queued so far has completed; the caller counts the wait. clFinish, not an event: on PoCL
    // an event object and clWaitForEvents cost more than the whole call of a small network (measured 110 vs 70 µs).
    private void WaitForQueue() => ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
}
