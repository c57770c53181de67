using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
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
//
// Waiting: the host flushes the queue, polls the command's event for a short while (a blocked thread is woken late on
// a busy host: tens of microseconds, more than a small device call takes), then calls clWaitForEvents, which returns at
// once for a completed event and is the synchronisation point the SVM rules name.
public sealed partial class OpenClBackend
{
    private const double DefaultWaitSpinMicroseconds = 200;
    private readonly HashSet<nint> _shared = new();
    private long _commands, _completed;

    /// <summary>
    /// Lets tests put buffers in device memory even where the device shares the host's (default true: shared where the
    /// device allows it); read when a buffer is allocated.
    /// </summary>
    internal bool PreferSharedMemory { get; set; } = true;

    /// <summary>Whether buffers allocated now live in memory the host shares with the device.</summary>
    internal bool AllocatesShared => PreferSharedMemory && Device.SharesHostMemory;

    /// <summary>How long a wait polls the device before it blocks (0: block at once).</summary>
    internal double WaitSpinMicroseconds { get; set; } = DefaultWaitSpinMicroseconds;

    /// <summary>Shared allocations alive (for leak tests).</summary>
    internal int SharedAllocations
    {
        get
        {
            lock (_sync) return _shared.Count;
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

    // Waits until every command queued so far has completed (a marker's event); the caller counts the wait.
    private unsafe void WaitForQueue()
    {
        nint done;
        ClCheck.Status(_api.EnqueueMarkerWithWaitList(_queue.Value, 0, null, &done), "clEnqueueMarkerWithWaitList");
        _commands++;
        Wait(done);
    }

    // Flushes, polls the event for up to WaitSpinMicroseconds, then waits for it; releases the event.
    private unsafe void Wait(nint done)
    {
        try
        {
            ClCheck.Status(_api.Flush(_queue.Value), "clFlush");
            double spin = WaitSpinMicroseconds;
            if (spin > 0)
            {
                long limit = Stopwatch.GetTimestamp() + (long)(spin * 1e-6 * Stopwatch.Frequency);
                do
                {
                    int state = 1;                               // CL_SUBMITTED until the driver says otherwise
                    if (_api.GetEventInfo(done, EventInfo.CommandExecutionStatus, sizeof(int), &state, null) != 0 || state <= 0) break;
                    Thread.Yield();
                }
                while (Stopwatch.GetTimestamp() < limit);
            }
            ClCheck.Status(_api.WaitForEvents(1, &done), "clWaitForEvents");
        }
        finally
        {
            _api.ReleaseEvent(done);
        }
    }
}
