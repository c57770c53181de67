using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>
/// What a backend whose device runs apart from the host (OpenCL) offers a training step: the step's two scalars, the
/// mean loss and the gradient arena's sum of squares, are reduced on the device as they become due and read back
/// together with one wait, instead of one wait each. The values are bitwise those of
/// <see cref="IBackend.LossForward"/> and <see cref="IBackend.SumOfSquares"/> on the same backend. A backend whose
/// buffers are host memory does not implement it (it has no wait to save).
/// </summary>
internal interface IQueuedScalarsBackend : IBackend
{
    /// <summary>A caller's own queue (dispose it before the backend).</summary>
    ScalarQueue CreateScalarQueue();

    /// <summary>
    /// Queues the mean loss of the rows (as <see cref="IBackend.LossForward"/> computes it) without waiting, and writes the
    /// loss's gradient (as <see cref="IBackend.LossBackward"/>) in the same pass.
    /// </summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="gradient">Receives dL/dy (dL/dz for a fused loss) (rows, columns).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="output">Network output y (rows, columns).</param>
    /// <param name="preActivation">The last layer's z (rows, columns).</param>
    /// <param name="target">Targets (rows, columns).</param>
    /// <param name="rows">Batch.</param>
    /// <param name="columns">Outputs.</param>
    void QueueLossAndGradient(ScalarQueue queue, BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target,
        int rows, int columns);

    /// <summary>Queues Σ x² (as <see cref="IBackend.SumOfSquares"/> computes it) without waiting.</summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="x">The values.</param>
    void QueueSumOfSquares(ScalarQueue queue, BufferSlice x);

    /// <summary>Waits once for the device and returns what <see cref="QueueLossAndGradient"/> and <see cref="QueueSumOfSquares"/> queued last.</summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="loss">The mean loss.</param>
    /// <param name="squares">The sum of squares.</param>
    void ReadQueued(ScalarQueue queue, out float loss, out double squares);
}
