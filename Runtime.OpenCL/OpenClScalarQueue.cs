using System.Runtime.InteropServices;
using Cortex.Backends;

namespace Cortex.OpenCL;

/// <summary>One brain's scalar queue on an <see cref="OpenClBackend"/>: two device buffers of partial sums and the host memory they are read into.</summary>
internal sealed unsafe class OpenClScalarQueue : ScalarQueue
{
    private nint _host;

    public OpenClScalarQueue(OpenClBackend owner, OpenClBuffer lossPartials, OpenClBuffer squarePartials, OpenClBuffer control, int partials)
    {
        Control = control;
        Owner = owner;
        LossPartials = lossPartials;
        SquarePartials = squarePartials;
        _host = Marshal.AllocHGlobal(2 * partials * sizeof(float));
    }

    public OpenClBackend Owner { get; }

    public OpenClBuffer LossPartials { get; }

    public OpenClBuffer SquarePartials { get; }

    /// <summary>The clipping scale and whether the step is taken, written by step_scale on the device (2 floats).</summary>
    public OpenClBuffer Control { get; }

    /// <summary>Unmanaged host memory for both reads (the loss partials first): a queued read may land in it after the call returns.</summary>
    public float* Host => (float*)_host;

    public int Rows { get; set; }

    public int LossGroups { get; set; }

    public int SquareGroups { get; set; }

    /// <summary>A read queued by BeginReadQueued and not yet taken: its event (0 when it read nothing), what it read, and the staging mark.</summary>
    public bool ReadPending { get; set; }

    public nint ReadEvent { get; set; }

    public int PendingRows { get; set; }

    public int PendingLossGroups { get; set; }

    public int PendingSquareGroups { get; set; }

    public long PendingStagingMark { get; set; }

    public bool IsDisposed => _host == 0;

    public override void Dispose()
    {
        if (_host == 0) return;
        Owner.DropPendingRead(this);             // a queued read may still write into Host
        LossPartials.Dispose();
        SquarePartials.Dispose();
        Control.Dispose();
        Marshal.FreeHGlobal(_host);
        _host = 0;
    }
}
