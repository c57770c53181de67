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
            return new OpenClScalarQueue(this, (OpenClBuffer)Allocate(MaxPartials), (OpenClBuffer)Allocate(MaxPartials), (OpenClBuffer)Allocate(2), MaxPartials);
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

    void IQueuedScalarsBackend.QueueOptimizerStep(ScalarQueue queue, Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1,
        BufferSlice moment2, long step)
    {
        OptimizerKernels.CheckStep(optimizer.Kind, parameters.Length, gradients.Length, moment1.Length, moment2.Length, step);
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            Own(parameters, nameof(parameters));
            Own(gradients, nameof(gradients));
            Own(moment1, nameof(moment1));
            Own(moment2, nameof(moment2));
            if (parameters.Length == 0) return;
            Begin(_stepScale);
            PushMemory(q.Control);
            PushMemory(q.LossPartials);
            Push(q.LossGroups);
            Push(Math.Max(1, q.Rows));
            PushMemory(q.SquarePartials);
            Push(q.SquareGroups);
            Push(optimizer.MaxGradientNorm);
            Run(1, 1);
            QueueOptimizerStep(optimizer, parameters, gradients, moment1, moment2, step, 1f, q.Control);
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
            if (q.LossPartials.Host != null && q.SquarePartials.Host != null && (a > 0 || b > 0))
            {
                // Shared memory: one wait, then both partial sums read in place.
                WaitForQueue();
                _blockingWaits++;
                QueueDrained();
                if (a > 0) TakeScalars(lossHost, q.LossPartials, a);
                if (b > 0) TakeScalars(squareHost, q.SquarePartials, b);
            }
            else
            {
                if (a > 0) ReadScalars(lossHost, q.LossPartials, a, blocking: b == 0);
                if (b > 0) ReadScalars(squareHost, q.SquarePartials, b, blocking: true);
            }
            loss = a == 0 ? 0f : (float)(AddPartials(new ReadOnlySpan<float>(lossHost, a)) / q.Rows);
            squares = b == 0 ? 0.0 : AddPartials(new ReadOnlySpan<float>(squareHost, b));
            q.LossGroups = q.SquareGroups = 0;
        }
    }

    unsafe void IQueuedScalarsBackend.BeginReadQueued(ScalarQueue queue)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            if (q.ReadPending) throw new InvalidOperationException("A read is already pending on this scalar queue.");
            int a = q.LossGroups, b = q.SquareGroups;
            nint done = 0;
            if (a > 0) ReadScalarsQueued(q.Host, q.LossPartials, a, b == 0 ? &done : null);
            if (b > 0) ReadScalarsQueued(q.Host + MaxPartials, q.SquarePartials, b, &done);
            (q.PendingRows, q.PendingLossGroups, q.PendingSquareGroups, q.ReadEvent) = (q.Rows, a, b, done);
            q.PendingStagingMark = StagingMark;
            q.ReadPending = true;
            q.LossGroups = q.SquareGroups = 0;
            ClCheck.Status(_api.Flush(_queue.Value), "clFlush");
        }
    }

    unsafe bool IQueuedScalarsBackend.EndReadQueued(ScalarQueue queue, out float loss, out double squares)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            OpenClScalarQueue q = Own(queue);
            loss = 0f;
            squares = 0.0;
            if (!q.ReadPending) return false;
            WaitForRead(q);
            int a = q.PendingLossGroups, b = q.PendingSquareGroups;
            if (a > 0) loss = (float)(AddPartials(new ReadOnlySpan<float>(q.Host, a)) / q.PendingRows);
            if (b > 0) squares = AddPartials(new ReadOnlySpan<float>(q.Host + MaxPartials, b));
            return true;
        }
    }

    // Called when a scalar queue is disposed: a pending read must land before its host memory is freed.
    internal void DropPendingRead(OpenClScalarQueue q)
    {
        lock (_sync)
        {
            if (!q.ReadPending) return;
            if (!_disposed) WaitForRead(q);               // a disposed backend finished its queue
            else if (q.ReadEvent != 0) _api.ReleaseEvent(q.ReadEvent);
            q.ReadEvent = 0;
            q.ReadPending = false;
        }
    }

    // Waits for the pending read's event (every command queued before it has run, so the staging they read is free).
    private unsafe void WaitForRead(OpenClScalarQueue q)
    {
        nint done = q.ReadEvent;
        q.ReadEvent = 0;
        q.ReadPending = false;
        if (done == 0) return;
        try
        {
            ClCheck.Status(_api.WaitForEvents(1, &done), "clWaitForEvents");
        }
        finally
        {
            _api.ReleaseEvent(done);
        }
        _earlierWorkWaits++;
        ReleaseStaging(q.PendingStagingMark);
    }

    // A queued read into unmanaged host memory, with its event when asked for.
    private unsafe void ReadScalarsQueued(float* destination, OpenClBuffer source, int count, nint* done)
    {
        ClCheck.Status(_api.EnqueueReadBuffer(_queue.Value, source.Handle, false, 0, Bytes(count), destination, 0, null, done), "clEnqueueReadBuffer");
        _commands++;
        _downloads++;
        _bytesDownloaded += (long)count * sizeof(float);
    }

    // A shared buffer's first floats copied on the host, after the caller's wait.
    private unsafe void TakeScalars(float* destination, OpenClBuffer source, int count)
    {
        new ReadOnlySpan<float>(source.Host, count).CopyTo(new Span<float>(destination, count));
        _downloads++;
        _bytesDownloaded += (long)count * sizeof(float);
    }

    // A read into unmanaged host memory; only the blocking one counts as a wait (and drains the queue).
    private unsafe void ReadScalars(float* destination, OpenClBuffer source, int count, bool blocking)
    {
        ClCheck.Status(_api.EnqueueReadBuffer(_queue.Value, source.Handle, blocking, 0, Bytes(count), destination, 0, null, null), "clEnqueueReadBuffer");
        _commands++;
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
