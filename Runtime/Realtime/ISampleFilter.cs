using System;

namespace Cortex.Realtime;

/// <summary>
/// Decides whether a training sample enters an <see cref="OnlineTrainer"/>'s ring (see <see cref="OnlineTrainer.SampleFilter"/>),
/// for example refusing outliers. Called on the thread that adds samples; must not allocate.
/// </summary>
public interface ISampleFilter
{
    /// <summary>True to keep the sample; false to refuse it (the trainer counts it as a rejected sample).</summary>
    /// <param name="input">The sample's input row, finite.</param>
    /// <param name="target">The sample's target row, finite.</param>
    bool Accept(ReadOnlySpan<float> input, ReadOnlySpan<float> target);
}
