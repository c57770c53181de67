using System;
using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>A network's whole forward pass prepared by an <see cref="IFusedForwardBackend"/> (dispose it before the backend).</summary>
internal abstract class FusedForward : IDisposable
{
    /// <summary>Queues y (rows, Outputs) = the network applied to x (rows, Inputs); nothing else is written.</summary>
    /// <param name="y">Output rows.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="rows">Batch.</param>
    public abstract void Run(BufferSlice y, BufferSlice x, int rows);

    /// <summary>Releases what the backend prepared.</summary>
    public abstract void Dispose();
}
