using System;

namespace Cortex.Learning;

/// <summary>ε for ε-greedy exploration as a function of the step count: linear or exponential decay to a floor.</summary>
public readonly struct ExplorationSchedule
{
    private ExplorationSchedule(float start, float end, long steps, bool exponential)
    {
        if (!(start >= 0f && start <= 1f)) throw new ArgumentOutOfRangeException(nameof(start), start, "start must lie in [0, 1].");
        if (!(end >= 0f && end <= 1f)) throw new ArgumentOutOfRangeException(nameof(end), end, "end must lie in [0, 1].");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        Start = start;
        End = end;
        Steps = steps;
        Exponential = exponential;
    }

    /// <summary>ε at step 0.</summary>
    public float Start { get; }

    /// <summary>The floor ε decays to.</summary>
    public float End { get; }

    /// <summary>Linear: steps to reach the floor. Exponential: steps for the distance to the floor to shrink by e.</summary>
    public long Steps { get; }

    /// <summary>True for exponential decay.</summary>
    public bool Exponential { get; }

    /// <summary>ε falls in a straight line from <paramref name="start"/> to <paramref name="end"/> over <paramref name="steps"/> steps, then stays.</summary>
    /// <param name="start">ε at step 0.</param>
    /// <param name="end">Final ε.</param>
    /// <param name="steps">Steps of the decay.</param>
    public static ExplorationSchedule Linear(float start, float end, long steps) => new(start, end, steps, exponential: false);

    /// <summary>ε = end + (start − end)·e^(−step/steps).</summary>
    /// <param name="start">ε at step 0.</param>
    /// <param name="end">Floor.</param>
    /// <param name="steps">Time constant in steps.</param>
    public static ExplorationSchedule Exponent(float start, float end, long steps) => new(start, end, steps, exponential: true);

    /// <summary>ε at a step.</summary>
    /// <param name="step">Steps taken so far.</param>
    public float At(long step)
    {
        if (step <= 0) return Start;
        if (Exponential) return End + (Start - End) * (float)Math.Exp(-(double)step / Steps);
        return step >= Steps ? End : Start + (End - Start) * (float)((double)step / Steps);
    }
}
