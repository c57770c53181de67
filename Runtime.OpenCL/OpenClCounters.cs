namespace Cortex.OpenCL;

/// <summary>
/// What an <see cref="OpenClBackend"/> has asked of its device so far: kernel launches and host
/// transfers. Subtract two snapshots to see what an operation cost (e.g. that a training step uploads
/// only its batch and downloads only two small partial sums).
/// </summary>
/// <param name="KernelLaunches">Kernels enqueued.</param>
/// <param name="Uploads">Host-to-device copies (in shared memory on an idle queue, a host copy that queues no command).</param>
/// <param name="BytesUploaded">Bytes copied to the device.</param>
/// <param name="Downloads">Device-to-host copies (each waits for the device's queued work, if any).</param>
/// <param name="BytesDownloaded">Bytes copied to the host.</param>
/// <param name="Synchronizations">Explicit waits (<see cref="OpenClBackend.Synchronize"/>).</param>
public readonly record struct OpenClCounters(long KernelLaunches, long Uploads, long BytesUploaded, long Downloads, long BytesDownloaded, long Synchronizations)
{
    /// <summary>
    /// Every time the host blocked until the device caught up: blocking reads and writes, explicit and internal
    /// waits (a download, an upload that could not be queued without waiting, <see cref="OpenClBackend.Synchronize"/>).
    /// </summary>
    public long BlockingWaits { get; init; }

    /// <summary>
    /// Times the host waited for the results of work queued earlier while later work stayed queued (a pipelined training
    /// step waiting for the previous step's loss): not counted in <see cref="BlockingWaits"/>, since the device keeps the
    /// later work to do.
    /// </summary>
    public long EarlierWorkWaits { get; init; }

    /// <summary>The work done between two snapshots.</summary>
    /// <param name="later">The later snapshot.</param>
    /// <param name="earlier">The earlier snapshot.</param>
    public static OpenClCounters operator -(OpenClCounters later, OpenClCounters earlier) => new(
        later.KernelLaunches - earlier.KernelLaunches, later.Uploads - earlier.Uploads, later.BytesUploaded - earlier.BytesUploaded,
        later.Downloads - earlier.Downloads, later.BytesDownloaded - earlier.BytesDownloaded, later.Synchronizations - earlier.Synchronizations)
    {
        BlockingWaits = later.BlockingWaits - earlier.BlockingWaits,
        EarlierWorkWaits = later.EarlierWorkWaits - earlier.EarlierWorkWaits,
    };
}
