using System;
using Cortex.Backends;

namespace Cortex;

/// <summary>
/// The finite-step guard of a brain: applies the accumulated gradients only when their norm is finite (clipping first
/// if the optimizer asks), counts kept and rejected steps, and around a guarded step keeps the last good parameters and
/// moments to roll back to when the step leaves a weight non-finite. On a device with a scalar queue it also runs the
/// steps the device decides itself (queued, or pipelined: the results of a pending step are read — settled — before any
/// counter is read or another step starts).
/// </summary>
internal sealed class StepGuard
{
    private readonly ParameterArena _arena;
    private readonly IQueuedScalarsBackend? _device;
    private readonly ScalarQueue? _queue;
    private long _steps, _rejected, _guardedSteps, _guardedRejected;
    private float _norm, _loss = float.NaN;
    private bool _pending;

    public StepGuard(ParameterArena arena, IBackend backend, ScalarQueue? queue)
    {
        _arena = arena;
        _queue = queue;
        _device = queue is null ? null : (IQueuedScalarsBackend)backend;
    }

    /// <summary>Optimizer steps taken (rejected steps not counted).</summary>
    public long Steps
    {
        get { Settle(); return _steps; }
        set { Settle(); _steps = value; }
    }

    /// <summary>Steps rejected (non-finite loss or gradient) or rolled back (non-finite weights).</summary>
    public long RejectedSteps
    {
        get { Settle(); return _rejected; }
    }

    /// <summary>‖∇J‖₂ of the last gradient applied or rejected (before clipping).</summary>
    public float LastGradientNorm
    {
        get { Settle(); return _norm; }
    }

    /// <summary>The mean loss of the last training step (NaN before the first).</summary>
    public float LastLoss
    {
        get { Settle(); return _loss; }
        set => _loss = value;
    }

    /// <summary>Whether the device can take whole steps here (a scalar queue, and nothing that must see the norm on the host first).</summary>
    public bool OnDevice(IStepFilter? filter, IStepObserver? observer) => _queue is not null && filter is null && observer is null;

    /// <summary>
    /// After a queued forward and backward: queues the optimizer step the device decides itself (clipping scale and finite
    /// check from the same sums, bitwise the host's decision), waits once, counts it and returns the loss.
    /// </summary>
    /// <param name="optimizer">The rule (and clipping norm).</param>
    public float FinishQueued(Optimizer optimizer)
    {
        _arena.QueueStep(_device!, _queue!, optimizer, _steps + 1);
        _device!.ReadQueued(_queue!, out float loss, out double squares);
        Record(loss, squares);
        return _loss = loss;
    }

    /// <summary>
    /// As <see cref="FinishQueued"/> without the wait: settles the previous step (whose read was queued before this step's
    /// work), queues this step and its read, and returns the previous step's loss.
    /// </summary>
    /// <param name="optimizer">The rule (and clipping norm).</param>
    public float FinishPipelined(Optimizer optimizer)
    {
        Settle();
        float previous = _loss;
        _arena.QueueStep(_device!, _queue!, optimizer, _steps + 1);
        _device!.BeginReadQueued(_queue!);
        _pending = true;
        return previous;
    }

    /// <summary>Reads the results of a pipelined step still pending and counts it.</summary>
    public void Settle()
    {
        if (!_pending) return;
        _pending = false;
        _device!.EndReadQueued(_queue!, out float loss, out double squares);
        Record(loss, squares);
        _loss = loss;
    }

    /// <summary>One optimizer step from the accumulated gradients, or a rejection when their norm is not finite.</summary>
    /// <param name="optimizer">The rule (and clipping norm).</param>
    /// <param name="filter">Reviews the step first (may reject or shrink it); null takes every finite step.</param>
    /// <param name="reduced">Σ g² over the gradient arena when it is already known (reduced with the loss on a device); null reduces it here.</param>
    public bool Apply(Optimizer optimizer, IStepFilter? filter, double? reduced = null)
    {
        Settle();
        double squares = reduced ?? _arena.SumOfSquares(_arena.Gradients);
        if (double.IsNaN(squares) || double.IsInfinity(squares))
        {
            Reject();
            return false;
        }
        float norm = (float)Math.Sqrt(squares), scale = 1f, max = optimizer.MaxGradientNorm;
        _norm = norm;
        if (filter is not null && !((scale = filter.Review(norm)) > 0f))
        {
            Reject(norm);
            return false;
        }
        if (max > 0f && norm * scale > max) scale = max / norm;
        _steps++;
        _arena.Step(optimizer, _steps, scale);
        return true;
    }

    /// <summary>
    /// Counts a step the device already decided (<see cref="Backends.IQueuedScalarsBackend.QueueOptimizerStep"/>) from the
    /// same loss and sum of squares: kept when both are finite, else rejected (the device cleared the gradients).
    /// </summary>
    /// <param name="loss">The step's mean loss.</param>
    /// <param name="squares">Σ g² over the gradient arena before the step.</param>
    private void Record(float loss, double squares)
    {
        if (float.IsNaN(loss) || float.IsInfinity(loss) || double.IsNaN(squares) || double.IsInfinity(squares))
        {
            _norm = float.NaN;
            _rejected++;
            return;
        }
        _norm = (float)Math.Sqrt(squares);
        _steps++;
    }

    /// <summary>Counts a rejected step and clears the gradients (the weights stay as they were).</summary>
    /// <param name="norm">The norm to report as the last one (NaN when it was not finite).</param>
    public void Reject(float norm = float.NaN)
    {
        Settle();
        _norm = norm;
        _rejected++;
        _arena.ZeroGradients();
    }

    /// <summary>Keeps the parameters, moments and counters before a guarded step.</summary>
    public void Begin()
    {
        Settle();
        _arena.Snapshot();
        _guardedSteps = _steps;
        _guardedRejected = _rejected;
    }

    /// <summary>Whether the guarded step was kept: rejected steps are not, and a step that left a weight non-finite is rolled back.</summary>
    public bool End()
    {
        if (_rejected != _guardedRejected) return false;
        double squares = _arena.SumOfSquares(_arena.Parameters);
        if (!double.IsNaN(squares) && !double.IsInfinity(squares)) return true;
        _arena.Rollback();
        _steps = _guardedSteps;
        _rejected++;
        return false;
    }
}
