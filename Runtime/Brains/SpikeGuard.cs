using System;

namespace Cortex;

/// <summary>
/// Rejects an optimizer step whose gradient norm is wildly out of line with recent ones — the mark of an extreme
/// but finite sample (an input of 1e8, a target of 1e10) that one step would otherwise write deep into the weights.
/// The baseline is an exponential moving average of the norms of the steps taken (weight
/// <see cref="BaselineWeight"/>); after <see cref="WarmupSteps"/> steps, a step whose norm exceeds
/// <see cref="Threshold"/> × baseline is rejected. So that a genuine, lasting change of scale is not refused forever,
/// the step after <see cref="MaxConsecutiveRejections"/> rejections in a row is taken, shrunk to the threshold
/// (the baseline then follows it). On by default in <c>OnlineTrainer</c>, <c>BackgroundTrainer</c> and the learners;
/// allocation-free.
/// </summary>
public sealed class SpikeGuard : IStepFilter
{
    /// <summary>
    /// Default <see cref="Threshold"/>: 100 × the recent gradient norm. Near convergence gradient norms swing by
    /// 10× between minibatches of clean data; one extreme row (an input or target 10³ times the usual scale, or more)
    /// moves a batch's gradient norm by far more than 100×.
    /// </summary>
    public const float DefaultThreshold = 100f;

    /// <summary>Default <see cref="WarmupSteps"/>.</summary>
    public const int DefaultWarmupSteps = 8;

    /// <summary>Default <see cref="MaxConsecutiveRejections"/>.</summary>
    public const int DefaultMaxConsecutiveRejections = 8;

    /// <summary>Weight of the newest norm in the baseline's moving average.</summary>
    public const float BaselineWeight = 0.1f;

    private int _consecutive;
    private long _taken;

    /// <summary>Creates a guard.</summary>
    /// <param name="threshold">Largest accepted ratio of a step's gradient norm to the baseline, in [2, 10⁶].</param>
    /// <param name="warmupSteps">Steps taken unchecked while the baseline forms, in [1, 10⁶].</param>
    /// <param name="maxConsecutiveRejections">Rejections in a row after which a step is shrunk instead, in [1, 10⁶].</param>
    public SpikeGuard(float threshold = DefaultThreshold, int warmupSteps = DefaultWarmupSteps, int maxConsecutiveRejections = DefaultMaxConsecutiveRejections)
    {
        if (!(threshold >= 2f && threshold <= 1e6f)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must lie in [2, 1e6].");
        if (warmupSteps < 1 || warmupSteps > 1_000_000) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "warmupSteps must lie in [1, 1000000].");
        if (maxConsecutiveRejections < 1 || maxConsecutiveRejections > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxConsecutiveRejections), maxConsecutiveRejections, "maxConsecutiveRejections must lie in [1, 1000000].");
        }
        Threshold = threshold;
        WarmupSteps = warmupSteps;
        MaxConsecutiveRejections = maxConsecutiveRejections;
    }

    /// <summary>Largest accepted ratio of a step's gradient norm to <see cref="Baseline"/>.</summary>
    public float Threshold { get; }

    /// <summary>Steps taken unchecked while the baseline forms.</summary>
    public int WarmupSteps { get; }

    /// <summary>Rejections in a row after which a step is shrunk to the threshold instead of rejected.</summary>
    public int MaxConsecutiveRejections { get; }

    /// <summary>The moving average of the gradient norms of recent steps taken (0 before the first).</summary>
    public float Baseline { get; private set; }

    /// <summary>Steps reviewed, taken or not.</summary>
    public long Reviewed { get; private set; }

    /// <summary>Steps rejected as spikes.</summary>
    public long Rejected { get; private set; }

    /// <summary>Steps shrunk after too many rejections in a row.</summary>
    public long Shrunk { get; private set; }

    /// <summary>Forgets the baseline (for a deliberate change of data or scale); the next steps warm it up again.</summary>
    public void Reset()
    {
        Baseline = 0f;
        _taken = 0;
        _consecutive = 0;
    }

    /// <inheritdoc/>
    public float Review(float gradientNorm)
    {
        if (!float.IsFinite(gradientNorm)) return 0f;
        Reviewed++;
        if (_taken < WarmupSteps)
        {
            Follow(gradientNorm);
            return 1f;
        }
        float limit = Threshold * Baseline;
        if (gradientNorm <= limit || limit <= 0f)
        {
            _consecutive = 0;
            Follow(gradientNorm);
            return 1f;
        }
        if (++_consecutive <= MaxConsecutiveRejections)
        {
            Rejected++;
            return 0f;
        }
        _consecutive = 0;
        Shrunk++;
        Follow(limit);
        return limit / gradientNorm;
    }

    private void Follow(float norm)
    {
        _taken++;
        Baseline = _taken == 1 ? norm : Baseline + BaselineWeight * (norm - Baseline);
    }
}
