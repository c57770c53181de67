using System;
using System.Threading;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

/// <summary>The one status checker: every OpenCL status code goes through it.</summary>
internal static class ClCheck
{
    /// <summary>Throws an <see cref="OpenClException"/> naming the status and the call unless it is CL_SUCCESS.</summary>
    public static void Status(int status, string call)
    {
        if (status != 0) throw new OpenClException(status, call);
    }

    /// <summary>As <see cref="Status(int, string)"/>, for calls on a named kernel (the name is formatted only on failure).</summary>
    public static void Status(int status, string call, string kernel)
    {
        if (status != 0) throw new OpenClException(status, $"{call}({kernel})");
    }

    /// <summary>As <see cref="Status(int, string)"/>, for clSetKernelArg (the name is formatted only on failure).</summary>
    public static void Argument(int status, string kernel, uint index)
    {
        if (status != 0) throw new OpenClException(status, $"clSetKernelArg({kernel}, {index})");
    }
}

/// <summary>The kinds of OpenCL object Cortex owns.</summary>
internal enum ClHandleKind
{
    Context = 0,
    CommandQueue = 1,
    Program = 2,
    Kernel = 3,
    Memory = 4,
}

/// <summary>
/// An owned OpenCL object: released exactly once, by <see cref="Dispose"/> or, if forgotten, by the
/// finalizer. Counts live objects per kind so tests can prove that nothing leaks.
/// </summary>
internal sealed class ClHandle : IDisposable
{
    private static readonly long[] LiveCounts = new long[5];
    private readonly CL _api;
    private long _handle;

    public ClHandle(CL api, nint handle, ClHandleKind kind, string name)
    {
        if (handle == 0) throw new ArgumentException("A null OpenCL handle cannot be owned.", nameof(handle));
        _api = api;
        _handle = handle;
        Kind = kind;
        Name = name;
        Interlocked.Increment(ref LiveCounts[(int)kind]);
    }

    ~ClHandle() => Release(disposing: false);

    public ClHandleKind Kind { get; }

    /// <summary>What the object is (a kernel's name, "buffer", ...), for messages.</summary>
    public string Name { get; }

    /// <summary>The raw handle; throws once released.</summary>
    public nint Value => _handle != 0 ? (nint)_handle : throw new ObjectDisposedException($"OpenCL {Kind} {Name}");

    public bool IsReleased => _handle == 0;

    /// <summary>Objects of a kind currently alive in this process (created here and not yet released).</summary>
    public static long Live(ClHandleKind kind) => Interlocked.Read(ref LiveCounts[(int)kind]);

    public void Dispose()
    {
        Release(disposing: true);
        GC.SuppressFinalize(this);
    }

    private static string ReleaseCall(ClHandleKind kind) => kind switch
    {
        ClHandleKind.Context => "clReleaseContext",
        ClHandleKind.CommandQueue => "clReleaseCommandQueue",
        ClHandleKind.Program => "clReleaseProgram",
        ClHandleKind.Kernel => "clReleaseKernel",
        _ => "clReleaseMemObject",
    };

    private void Release(bool disposing)
    {
        nint handle = (nint)Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        Interlocked.Decrement(ref LiveCounts[(int)Kind]);
        int status = Kind switch
        {
            ClHandleKind.Context => _api.ReleaseContext(handle),
            ClHandleKind.CommandQueue => _api.ReleaseCommandQueue(handle),
            ClHandleKind.Program => _api.ReleaseProgram(handle),
            ClHandleKind.Kernel => _api.ReleaseKernel(handle),
            _ => _api.ReleaseMemObject(handle),
        };
        // A finalizer must not throw; an explicit Dispose reports a failed release like any other call.
        if (disposing) ClCheck.Status(status, ReleaseCall(Kind));
    }
}
