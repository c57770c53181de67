using System.Runtime.InteropServices;
using Cortex.Backends;

namespace Cortex.OpenCL;

/// <summary>One brain's scalar queue on an <see cref="OpenClBackend"/>: two device buffers of partial sums and the host memory they are read into.</summary>
internal sealed unsafe class OpenClScalarQueue : ScalarQueue
{
    private nint _host;

    public OpenClScalarQueue(OpenClBackend owner, OpenClBuffer lossPartials, OpenClBuffer squarePartials, int partials)
    {
        Owner = owner;
        LossPartials = lossPartials;
        SquarePartials = squarePartials;
        _host = Marshal.AllocHGlobal(2 * partials * sizeof(float));
    }

    public OpenClBackend Owner { get; }

    public OpenClBuffer LossPartials { get; }

    public OpenClBuffer SquarePartials { get; }

    /// <summary>Unmanaged host memory for both reads (the loss partials first): a queued read may land in it after the call returns.</summary>
    public float* Host => (float*)_host;

    public int Rows { get; set; }

    public int LossGroups { get; set; }

    public int SquareGroups { get; set; }

    public bool IsDisposed => _host == 0;

    public override void Dispose()
    {
        if (_host == 0) return;
        LossPartials.Dispose();
        SquarePartials.Dispose();
        Marshal.FreeHGlobal(_host);
        _host = 0;
    }
}
