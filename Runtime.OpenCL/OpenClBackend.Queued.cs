using System;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.OpenCL;

// A training step's two scalars (the loss and the gradient norm's sum of squares) reduced on the device when due and
// read back with one wait: the partial sums land in the caller's two device buffers, the first read is queued without
// waiting and the second waits for both (the queue is in order). Same kernels, launch shapes and host summation as
// LossForward and SumOfSquares, so the values are bitwise theirs.
public sealed partial class OpenClBackend : IQueuedScalarsBackend
{
    ScalarQueue IQueuedScalarsBackend.CreateScalarQueue()
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            return new OpenClScalarQueue(this, (OpenClBuffer)Allocate(MaxPartials), (OpenClBuffer)Allocate(MaxPartials), MaxPartials);
        }
    }

    void IQueuedScalarsBackend.QueueLossAndGradient(ScalarQueue queue, BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation,
        BufferSlice target, int rows, int columns)
    {
        ValidateLoss(loss, output, preActivation, target, rows, columns);
        Check.Matrix(gradient.Length, rows, columns, nameof(gradient));
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            Own(gradient, nameof(gradient));
            Own(output, nameof(output));
            Own(preActivation, nameof(preActivation));
            Own(target, nameof(target));
            q.Rows = rows;
            q.LossGroups = 0;
            if (rows == 0) return;
            EnsureRowLosses(rows);
            Begin(_lossStep);
            PushMemory(_rowLosses!);
            Push(gradient);
            Push(output);
            Push(preActivation);
            Push(target);
            Push((int)loss.Kind);
            Push(loss.Delta);
            Push(1f / rows);
            Push(1f / ((float)rows * columns));
            Push(rows);
            Push(columns);
            Run(rows);
            q.LossGroups = QueuePartialSums(q.LossPartials, _rowLosses!.Slice(0, rows), square: false);
        }
    }

    void IQueuedScalarsBackend.QueueSumOfSquares(ScalarQueue queue, BufferSlice x)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            Own(x, nameof(x));
            q.SquareGroups = 0;
            if (x.Length == 0) return;
            q.SquareGroups = QueuePartialSums(q.SquarePartials, x, square: true);
        }
    }

    unsafe void IQueuedScalarsBackend.ReadQueued(ScalarQueue queue, out float loss, out double squares)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            int a = q.LossGroups, b = q.SquareGroups;
            float* lossHost = q.Host, squareHost = q.Host + MaxPartials;
            if (a > 0) ReadScalars(lossHost, q.LossPartials, a, blocking: b == 0);
            if (b > 0) ReadScalars(squareHost, q.SquarePartials, b, blocking: true);
            loss = a == 0 ? 0f : (float)(AddPartials(new ReadOnlySpan<float>(lossHost, a)) / q.Rows);
            squares = b == 0 ? 0.0 : AddPartials(new ReadOnlySpan<float>(squareHost, b));
            q.LossGroups = q.SquareGroups = 0;
        }
    }

    // A read into unmanaged host memory; only the blocking one counts as a wait (and drains the queue).
    private unsafe void ReadScalars(float* destination, OpenClBuffer source, int count, bool blocking)
    {
        ClCheck.Status(_api.EnqueueReadBuffer(_queue.Value, source.Handle, blocking, 0, Bytes(count), destination, 0, null, null), "clEnqueueReadBuffer");
        _downloads++;
        _bytesDownloaded += (long)count * sizeof(float);
        if (!blocking) return;
        _blockingWaits++;
        QueueDrained();
    }

    private OpenClScalarQueue Own(ScalarQueue queue)
    {
        if (queue is not OpenClScalarQueue q || !ReferenceEquals(q.Owner, this))
        {
            throw new ArgumentException("The scalar queue was not created by this OpenCL backend.", nameof(queue));
        }
        if (q.IsDisposed) throw new ObjectDisposedException(nameof(ScalarQueue));
        return q;
    }
}
