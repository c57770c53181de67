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

    /// <summary>
    /// Queues the optimizer step a brain takes after <see cref="ReadQueued"/> without waiting for it: on the device, from the
    /// scalars queued last, the step is rejected (only the gradients are cleared) when the loss or the sum of squares is not
    /// finite, and otherwise taken with the gradients scaled by min(1, <see cref="Optimizer.MaxGradientNorm"/> / ‖g‖) (no
    /// clipping when the maximum is 0), as <see cref="IBackend.OptimizerStep"/> with that scale. Call it after
    /// <see cref="QueueSumOfSquares"/> and before the read.
    /// </summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="optimizer">The rule and its clipping norm.</param>
    /// <param name="parameters">Θ.</param>
    /// <param name="gradients">∇Θ (cleared).</param>
    /// <param name="moment1">First moment (momentum, Adam) or empty.</param>
    /// <param name="moment2">Second moment (Adam) or empty.</param>
    /// <param name="step">The 1-based step number the step takes when it is kept.</param>
    void QueueOptimizerStep(ScalarQueue queue, Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step);

    /// <summary>Waits once for the device and returns what <see cref="QueueLossAndGradient"/> and <see cref="QueueSumOfSquares"/> queued last.</summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="loss">The mean loss.</param>
    /// <param name="squares">The sum of squares.</param>
    void ReadQueued(ScalarQueue queue, out float loss, out double squares);

    /// <summary>
    /// Queues the read of what <see cref="QueueLossAndGradient"/> and <see cref="QueueSumOfSquares"/> queued last without
    /// waiting, and submits the queue: <see cref="EndReadQueued"/> takes the values later, while the caller queues more
    /// work. One read may be pending per queue.
    /// </summary>
    /// <param name="queue">The caller's queue.</param>
    void BeginReadQueued(ScalarQueue queue);

    /// <summary>
    /// Waits for the read <see cref="BeginReadQueued"/> queued (not for work queued after it) and returns its values,
    /// as <see cref="ReadQueued"/> would have; false (and zeros) when no read is pending.
    /// </summary>
    /// <param name="queue">The caller's queue.</param>
    /// <param name="loss">The mean loss.</param>
    /// <param name="squares">The sum of squares.</param>
    bool EndReadQueued(ScalarQueue queue, out float loss, out double squares);
}
