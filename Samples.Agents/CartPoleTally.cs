using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Cortex.Samples.Agents;

/// <summary>
/// What every cart-pole run keeps: finished episodes with their 100-episode average (the learning curve), the greedy
/// evaluations, the best of them, the step the task was solved at, and the run's clock.
/// </summary>
internal sealed class CartPoleTally
{
    private readonly List<CurvePoint> _curve = new();
    private readonly List<(long, float)> _evaluations = new();
    private readonly Queue<float> _recent = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _recentSum;
    private float _best;

    /// <summary>Episodes finished.</summary>
    public int Episodes { get; private set; }

    /// <summary>The last greedy evaluation's average return.</summary>
    public float LastEvaluation { get; private set; }

    /// <summary>The step whose evaluation reached the solved return; -1 while unsolved.</summary>
    public long SolvedAt { get; private set; } = -1;

    /// <summary>Mean return of the last (up to) 100 episodes; 0 before the first.</summary>
    public float RecentAverage => _recent.Count > 0 ? (float)(_recentSum / _recent.Count) : 0f;

    /// <summary>Environment steps per second of wall time at <paramref name="step"/>.</summary>
    public double StepsPerSecond(long step) => step / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

    /// <summary>Counts an episode that ended at <paramref name="step"/> and adds its point to the learning curve.</summary>
    public void EndEpisode(long step, float episodeReturn)
    {
        Episodes++;
        _recent.Enqueue(episodeReturn);
        _recentSum += episodeReturn;
        if (_recent.Count > 100) _recentSum -= _recent.Dequeue();
        _curve.Add(new CurvePoint(step, Episodes, episodeReturn, (float)(_recentSum / _recent.Count)));
    }

    /// <summary>Records a greedy evaluation at <paramref name="step"/>; the task is solved there when it reaches <paramref name="solvedReturn"/>.</summary>
    public void Evaluated(long step, float average, float solvedReturn)
    {
        LastEvaluation = average;
        _evaluations.Add((step, average));
        _best = Math.Max(_best, average);
        if (average >= solvedReturn) SolvedAt = step;
    }

    /// <summary>The run's result after <paramref name="environmentSteps"/> steps.</summary>
    public CartPoleResult Result(long environmentSteps) => new()
    {
        Solved = SolvedAt > 0, SolvedAtStep = SolvedAt, EvaluationAverage = LastEvaluation, BestEvaluationAverage = _best,
        EnvironmentSteps = environmentSteps, Episodes = Episodes, Seconds = _clock.Elapsed.TotalSeconds,
        TrainingCurve = _curve, Evaluations = _evaluations,
    };
}
