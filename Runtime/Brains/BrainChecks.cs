using System;

namespace Cortex;

/// <summary>The argument checks of <see cref="Brain"/>'s public methods, by the caller's parameter names.</summary>
internal static class BrainChecks
{
    public static void CheckBatch(int batch, int max, int min = 0)
    {
        if (max == int.MaxValue && batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be non-negative.");
        if (batch < 0 || batch > max) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must lie in [0, {max}] (the brain's MaxBatch).");
        if (batch < min) throw new ArgumentOutOfRangeException(nameof(batch), batch, "This call needs at least one row.");
    }

    public static void CheckRows(int length, int rows, int width, string name)
    {
        long need = (long)rows * width;
        if (length < need) throw new ArgumentException($"{name} holds {length} values but batch*width = {rows}*{width} = {need} are needed.", name);
    }

    public static void CheckExact(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"{name} holds {length} values but the brain has {expected} parameters.", name);
    }

    /// <summary>A training (or Predict) batch: batch within [minBatch, maxBatch], inputs (batch, Inputs) and the second span (batch, Outputs).</summary>
    public static void CheckRows(BrainSpec spec, int inputs, int outputs, int batch, int maxBatch, int minBatch, string outputsName)
    {
        CheckBatch(batch, maxBatch, minBatch);
        CheckRows(inputs, batch, spec.Inputs, nameof(inputs));
        CheckRows(outputs, batch, spec.Outputs, outputsName);
    }

    /// <summary>A replacement optimizer: the same kind (so the moments fit) and not the default value.</summary>
    public static Optimizer CheckReplacement(Optimizer current, Optimizer value)
    {
        if (value.Kind != current.Kind) throw new ArgumentException($"The brain was built for {current.Kind}; it cannot switch to {value.Kind} (its moments would not fit).", nameof(value));
        if (value.LearningRate <= 0f) throw new ArgumentException("The optimizer is the default value.", nameof(value));
        return value;
    }

    /// <summary>The other brain of a copy or blend: not null, not disposed, the same layer widths.</summary>
    public static Brain SameShape(Brain brain, Brain source)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        source.ThrowIfDisposed();
        if (!brain.Spec.HasSameShape(source.Spec)) throw new ArgumentException($"source has shape {source.Spec} but this brain has {brain.Spec}.", nameof(source));
        return source;
    }
}
