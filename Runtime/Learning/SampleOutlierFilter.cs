using System;
using Cortex.Realtime;

namespace Cortex.Learning;

/// <summary>
/// Refuses samples with a value more than <see cref="MaxDeviations"/> standard deviations from the running mean of
/// its column (after <see cref="WarmupSamples"/> accepted samples), so one extreme row never reaches a trainer. Input
/// statistics come from a <see cref="RunningNormalizer"/> where the caller keeps one (it is read, not updated), else
/// from the filter's own running mean and variance; target statistics are always the filter's own. Only accepted
/// samples update its statistics. Optional: set it as <see cref="OnlineTrainer.SampleFilter"/>. Allocation-free.
/// </summary>
public sealed class SampleOutlierFilter : ISampleFilter
{
    /// <summary>Default <see cref="MaxDeviations"/>: 10 standard deviations.</summary>
    public const float DefaultMaxDeviations = 10f;

    /// <summary>Default <see cref="WarmupSamples"/>.</summary>
    public const int DefaultWarmupSamples = 64;

    private readonly RunningNormalizer? _inputStatistics;
    private readonly double[] _mean, _m2;   // inputs (unless a normalizer is given) then targets
    private readonly int _inputs, _outputs;
    private long _count;

    /// <summary>Creates a filter.</summary>
    /// <param name="inputs">Values per input row, at least 1.</param>
    /// <param name="outputs">Values per target row, at least 1.</param>
    /// <param name="maxDeviations">Largest accepted distance from the mean, in standard deviations, in [3, 10⁶].</param>
    /// <param name="warmupSamples">Samples accepted unchecked while the statistics form, in [2, 10⁹].</param>
    /// <param name="inputStatistics">A normalizer of the inputs whose mean and variance to use, or null for the filter's own.</param>
    public SampleOutlierFilter(int inputs, int outputs, float maxDeviations = DefaultMaxDeviations, int warmupSamples = DefaultWarmupSamples,
        RunningNormalizer? inputStatistics = null)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "inputs must be at least 1.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "outputs must be at least 1.");
        if (!(maxDeviations >= 3f && maxDeviations <= 1e6f)) throw new ArgumentOutOfRangeException(nameof(maxDeviations), maxDeviations, "maxDeviations must lie in [3, 1e6].");
        if (warmupSamples < 2 || warmupSamples > 1_000_000_000) throw new ArgumentOutOfRangeException(nameof(warmupSamples), warmupSamples, "warmupSamples must lie in [2, 1e9].");
        if (inputStatistics is not null && inputStatistics.Size != inputs)
        {
            throw new ArgumentException($"inputStatistics has {inputStatistics.Size} columns but inputs is {inputs}.", nameof(inputStatistics));
        }
        _inputs = inputs;
        _outputs = outputs;
        _inputStatistics = inputStatistics;
        MaxDeviations = maxDeviations;
        WarmupSamples = warmupSamples;
        _mean = new double[inputs + outputs];
        _m2 = new double[inputs + outputs];
    }

    /// <summary>Largest accepted distance of a value from its column's mean, in standard deviations.</summary>
    public float MaxDeviations { get; }

    /// <summary>Samples accepted unchecked while the statistics form.</summary>
    public int WarmupSamples { get; }

    /// <summary>Samples refused.</summary>
    public long Refused { get; private set; }

    /// <inheritdoc/>
    public bool Accept(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (input.Length != _inputs) throw new ArgumentException($"input has {input.Length} values but the filter expects {_inputs}.", nameof(input));
        if (target.Length != _outputs) throw new ArgumentException($"target has {target.Length} values but the filter expects {_outputs}.", nameof(target));
        if (_count >= WarmupSamples && (IsOutlier(input, 0, _inputStatistics) || IsOutlier(target, _inputs, null)))
        {
            Refused++;
            return false;
        }
        _count++;
        if (_inputStatistics is null) Follow(input, 0);
        Follow(target, _inputs);
        return true;
    }

    private bool IsOutlier(ReadOnlySpan<float> row, int offset, RunningNormalizer? statistics)
    {
        if (statistics is not null && statistics.Count < 2) return false;
        for (int i = 0; i < row.Length; i++)
        {
            double mean = statistics?.Mean(i) ?? _mean[offset + i];
            double variance = statistics?.Variance(i) ?? _m2[offset + i] / _count;
            // A column that has been constant still allows changes of its own size (and of 1e-3 around 0).
            double spread = Math.Max(Math.Sqrt(variance), 1e-3 * (Math.Abs(mean) + 1.0));
            if (Math.Abs(row[i] - mean) > MaxDeviations * spread) return true;
        }
        return false;
    }

    // Welford's update with the accepted count already incremented.
    private void Follow(ReadOnlySpan<float> row, int offset)
    {
        for (int i = 0; i < row.Length; i++)
        {
            double delta = row[i] - _mean[offset + i];
            _mean[offset + i] += delta / _count;
            _m2[offset + i] += delta * (row[i] - _mean[offset + i]);
        }
    }
}
