using System;

namespace Cortex.Realtime;

/// <summary>
/// How much learning one tick may do: at most <see cref="MaxUpdates"/> minibatch updates and, when
/// <see cref="MaxMicroseconds"/> is positive, no more time than that. The default value allows nothing
/// (training paused). Budgets in updates are deterministic; budgets in time are not.
/// </summary>
public readonly struct TrainingBudget : IEquatable<TrainingBudget>
{
    /// <summary>Most updates one tick may run without a time limit (a tick must return).</summary>
    public const int MaxUntimedUpdates = 1 << 16;

    /// <summary>Longest time limit of one tick: 10 seconds.</summary>
    public const double MaxMicrosecondsLimit = 1e7;

    /// <summary>Creates a budget.</summary>
    /// <param name="maxUpdates">Most updates per tick, at least 0 (<see cref="int.MaxValue"/>: no count limit, allowed only with a time limit; without one at most <see cref="MaxUntimedUpdates"/>).</param>
    /// <param name="maxMicroseconds">Most wall-clock time per tick in µs, in [0, <see cref="MaxMicrosecondsLimit"/>] (0: no time limit).</param>
    public TrainingBudget(int maxUpdates, double maxMicroseconds)
    {
        if (maxUpdates < 0) throw new ArgumentOutOfRangeException(nameof(maxUpdates), maxUpdates, "maxUpdates must be at least 0.");
        if (!(maxMicroseconds >= 0.0 && maxMicroseconds <= MaxMicrosecondsLimit))
        {
            throw new ArgumentOutOfRangeException(nameof(maxMicroseconds), maxMicroseconds, $"maxMicroseconds must lie in [0, {MaxMicrosecondsLimit}] (0: no time limit).");
        }
        if (maxMicroseconds == 0.0 && maxUpdates > MaxUntimedUpdates)
        {
            throw new ArgumentOutOfRangeException(nameof(maxUpdates), maxUpdates,
                $"Without a time limit a tick may run at most {MaxUntimedUpdates} updates; give a time limit (maxMicroseconds) for more.");
        }
        MaxUpdates = maxUpdates;
        MaxMicroseconds = maxMicroseconds;
    }

    /// <summary>No learning.</summary>
    public static TrainingBudget None => default;

    /// <summary>Most updates per tick (<see cref="int.MaxValue"/> when only time limits it).</summary>
    public int MaxUpdates { get; }

    /// <summary>Most wall-clock microseconds per tick; 0 means no time limit.</summary>
    public double MaxMicroseconds { get; }

    /// <summary>True when the budget limits time (and so depends on the machine).</summary>
    public bool IsTimed => MaxMicroseconds > 0.0;

    /// <summary>Exactly <paramref name="maxUpdates"/> updates per tick (when samples allow): deterministic.</summary>
    /// <param name="maxUpdates">At least 0.</param>
    public static TrainingBudget Updates(int maxUpdates) => new(maxUpdates, 0.0);

    /// <summary>As many updates as fit in <paramref name="microseconds"/> per tick.</summary>
    /// <param name="microseconds">In (0, <see cref="MaxMicrosecondsLimit"/>].</param>
    public static TrainingBudget Microseconds(double microseconds)
    {
        if (!(microseconds > 0.0 && microseconds <= MaxMicrosecondsLimit)) throw new ArgumentOutOfRangeException(nameof(microseconds), microseconds, $"microseconds must lie in (0, {MaxMicrosecondsLimit}].");
        return new TrainingBudget(int.MaxValue, microseconds);
    }

    /// <summary>At most <paramref name="maxUpdates"/> updates and at most <paramref name="microseconds"/> per tick.</summary>
    /// <param name="maxUpdates">At least 0.</param>
    /// <param name="microseconds">In (0, <see cref="MaxMicrosecondsLimit"/>].</param>
    public static TrainingBudget UpdatesWithin(int maxUpdates, double microseconds)
    {
        if (!(microseconds > 0.0 && microseconds <= MaxMicrosecondsLimit)) throw new ArgumentOutOfRangeException(nameof(microseconds), microseconds, $"microseconds must lie in (0, {MaxMicrosecondsLimit}].");
        return new TrainingBudget(maxUpdates, microseconds);
    }

    /// <summary>Field-wise equality.</summary>
    /// <param name="other">The other budget.</param>
    public bool Equals(TrainingBudget other) => MaxUpdates == other.MaxUpdates && MaxMicroseconds.Equals(other.MaxMicroseconds);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TrainingBudget other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MaxUpdates, MaxMicroseconds);

    /// <summary>Field-wise equality.</summary>
    /// <param name="left">One budget.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(TrainingBudget left, TrainingBudget right) => left.Equals(right);

    /// <summary>Field-wise inequality.</summary>
    /// <param name="left">One budget.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(TrainingBudget left, TrainingBudget right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() =>
        (MaxUpdates == int.MaxValue ? "any updates" : $"{MaxUpdates} updates") + (IsTimed ? $" within {MaxMicroseconds} µs" : "") + " per tick";
}

/// <summary>What one training tick did.</summary>
/// <param name="Updates">Minibatch updates kept.</param>
/// <param name="RejectedUpdates">Updates rejected because the loss, a gradient or the new weights were not finite.</param>
/// <param name="Microseconds">Wall-clock time the tick took.</param>
/// <param name="BudgetMicroseconds">The time budget (0: none).</param>
/// <param name="Overran">True when a time budget was exceeded.</param>
/// <param name="MeanLoss">Mean loss of the kept updates (NaN when none ran).</param>
public readonly record struct TrainingTickReport(int Updates, int RejectedUpdates, double Microseconds, double BudgetMicroseconds, bool Overran, float MeanLoss)
{
    /// <summary>Time beyond the budget, in µs (0 unless <see cref="Overran"/>).</summary>
    public double OverrunMicroseconds => Overran ? Microseconds - BudgetMicroseconds : 0.0;
}

/// <summary>Totals since a trainer was created.</summary>
/// <param name="Ticks">Training ticks.</param>
/// <param name="Updates">Updates kept.</param>
/// <param name="RejectedUpdates">Updates rejected (non-finite loss, gradient or weights; the weights stayed the last good ones).</param>
/// <param name="RejectedSamples">Samples rejected at append time because a value was not finite.</param>
/// <param name="DroppedSamples">Samples dropped because a hand-over queue was full (background training only).</param>
/// <param name="Overruns">Ticks that exceeded a time budget.</param>
/// <param name="TotalMicroseconds">Wall-clock time spent training.</param>
/// <param name="MaxTickMicroseconds">The longest tick.</param>
public readonly record struct TrainingStats(long Ticks, long Updates, long RejectedUpdates, long RejectedSamples, long DroppedSamples,
    long Overruns, double TotalMicroseconds, double MaxTickMicroseconds);

/// <summary>What a trainer rejected.</summary>
public enum TrainingRejection : byte
{
    /// <summary>A sample with a NaN or infinity, refused at append time.</summary>
    Sample = 0,
    /// <summary>An update whose loss, gradient or resulting weights were not finite; the weights stayed as they were.</summary>
    Update = 1,
}
