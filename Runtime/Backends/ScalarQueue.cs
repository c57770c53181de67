using System;

namespace Cortex.Backends;

/// <summary>
/// One caller's place on an <see cref="IQueuedScalarsBackend"/> for the scalars it queues (device partial sums and the
/// host memory they are read into), so brains sharing a backend from several threads never read each other's values.
/// </summary>
internal abstract class ScalarQueue : IDisposable
{
    /// <summary>Releases the device and host memory.</summary>
    public abstract void Dispose();
}
