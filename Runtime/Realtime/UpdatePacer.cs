using System;
using System.Diagnostics;

namespace Cortex.Realtime;

/// <summary>
/// Paces the updates of one tick within a <see cref="TrainingBudget"/>, for every trainer that has one
/// (<see cref="OnlineTrainer"/>, <see cref="Learning.AgentGroup"/>). With a time budget the first update always
/// runs, and another runs only while it still fits at the mean cost of an update plus three mean absolute
/// deviations (running averages over recent updates, kept across ticks). An update that took more than twice
/// the estimate was mostly a stall (the thread preempted, a page fault): it enters the averages as twice the
/// estimate, so one stall does not starve the following ticks, while a real rise in cost still moves the
/// estimate within a few updates. Times are <see cref="Stopwatch"/> timestamps.
/// </summary>
internal struct UpdatePacer
{
    private long _estimate, _deviation, _start, _now, _limit;
    private int _maxUpdates;

    /// <summary>Starts a tick at <paramref name="now"/> under <paramref name="budget"/>.</summary>
    public void Begin(TrainingBudget budget, long now)
    {
        _start = _now = now;
        _limit = budget.IsTimed ? (long)(budget.MaxMicroseconds * Stopwatch.Frequency / 1e6) : long.MaxValue;
        _maxUpdates = budget.MaxUpdates;
    }

    /// <summary>Whether one more update may run after <paramref name="done"/> in this tick.</summary>
    public readonly bool MayRun(int done) =>
        done < _maxUpdates && (done == 0 || _limit == long.MaxValue || _now - _start + _estimate + 3 * _deviation <= _limit);

    /// <summary>An update ended at <paramref name="now"/>: its cost goes into the running averages.</summary>
    public void Ran(long now)
    {
        long cost = now - _now;
        if (_estimate > 0 && cost > 2 * _estimate) cost = 2 * _estimate;
        if (_estimate == 0) _estimate = cost;
        else
        {
            _deviation = (_deviation * 7 + Math.Abs(cost - _estimate)) / 8;
            _estimate = (_estimate * 7 + cost) / 8;
        }
        _now = now;
    }

    /// <summary>Timestamp ticks from the start of the tick to the end of its last update.</summary>
    public readonly long Elapsed => _now - _start;

    /// <summary>Whether the tick ran past a time budget.</summary>
    public readonly bool Overran => _limit != long.MaxValue && Elapsed > _limit;
}
