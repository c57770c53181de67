using System;

namespace Cortex;

/// <summary>
/// The finite-step guard of a brain: applies the accumulated gradients only when their norm is finite (clipping first
/// if the optimizer asks), counts kept and rejected steps, and around a guarded step keeps the last good parameters and
/// moments to roll back to when the step leaves a weight non-finite.
/// </summary>
internal sealed class StepGuard
{
    private readonly ParameterArena _arena;
    private long _guardedSteps, _guardedRejected;

    public StepGuard(ParameterArena arena) => _arena = arena;

    /// <summary>Optimizer steps taken (rejected steps not counted).</summary>
    public long Steps { get; set; }

    /// <summary>Steps rejected (non-finite loss or gradient) or rolled back (non-finite weights).</summary>
    public long RejectedSteps { get; private set; }

    /// <summary>‖∇J‖₂ of the last gradient applied or rejected (before clipping).</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>One optimizer step from the accumulated gradients, or a rejection when their norm is not finite.</summary>
    /// <param name="optimizer">The rule (and clipping norm).</param>
    /// <param name="filter">Reviews the step first (may reject or shrink it); null takes every finite step.</param>
    /// <param name="reduced">Σ g² over the gradient arena when it is already known (reduced with the loss on a device); null reduces it here.</param>
    public bool Apply(Optimizer optimizer, IStepFilter? filter, double? reduced = null)
    {
        double squares = reduced ?? _arena.SumOfSquares(_arena.Gradients);
        if (double.IsNaN(squares) || double.IsInfinity(squares))
        {
            Reject();
            return false;
        }
        float norm = (float)Math.Sqrt(squares), scale = 1f, max = optimizer.MaxGradientNorm;
        LastGradientNorm = norm;
        if (filter is not null && !((scale = filter.Review(norm)) > 0f))
        {
            Reject(norm);
            return false;
        }
        if (max > 0f && norm * scale > max) scale = max / norm;
        Steps++;
        _arena.Step(optimizer, Steps, scale);
        return true;
    }

    /// <summary>
    /// Counts a step the device already decided (<see cref="Backends.IQueuedScalarsBackend.QueueOptimizerStep"/>) from the
    /// same loss and sum of squares: kept when both are finite, else rejected (the device cleared the gradients).
    /// </summary>
    /// <param name="loss">The step's mean loss.</param>
    /// <param name="squares">Σ g² over the gradient arena before the step.</param>
    public bool Record(float loss, double squares)
    {
        if (float.IsNaN(loss) || float.IsInfinity(loss) || double.IsNaN(squares) || double.IsInfinity(squares))
        {
            LastGradientNorm = float.NaN;
            RejectedSteps++;
            return false;
        }
        LastGradientNorm = (float)Math.Sqrt(squares);
        Steps++;
        return true;
    }

    /// <summary>Counts a rejected step and clears the gradients (the weights stay as they were).</summary>
    /// <param name="norm">The norm to report as the last one (NaN when it was not finite).</param>
    public void Reject(float norm = float.NaN)
    {
        LastGradientNorm = norm;
        RejectedSteps++;
        _arena.ZeroGradients();
    }

    /// <summary>Keeps the parameters, moments and counters before a guarded step.</summary>
    public void Begin()
    {
        _arena.Snapshot();
        _guardedSteps = Steps;
        _guardedRejected = RejectedSteps;
    }

    /// <summary>Whether the guarded step was kept: rejected steps are not, and a step that left a weight non-finite is rolled back.</summary>
    public bool End()
    {
        if (RejectedSteps != _guardedRejected) return false;
        double squares = _arena.SumOfSquares(_arena.Parameters);
        if (!double.IsNaN(squares) && !double.IsInfinity(squares)) return true;
        _arena.Rollback();
        Steps = _guardedSteps;
        RejectedSteps++;
        return false;
    }
}
