using System;

namespace Cortex.Learning;

/// <summary>
/// Typed, length-checked writing of an observation row (ML-Agents' VectorSensor, without allocation):
/// <c>var w = new ObservationWriter(observation); w.Add(speed); w.AddOneHot(team, 3); w.Complete();</c>.
/// Writing past the end, or completing a row that is not full, throws an <see cref="ArgumentException"/>
/// naming both sizes.
/// </summary>
public ref struct ObservationWriter
{
    private readonly Span<float> _destination;

    /// <summary>Starts writing at the beginning of <paramref name="destination"/>.</summary>
    /// <param name="destination">The observation row.</param>
    public ObservationWriter(Span<float> destination)
    {
        _destination = destination;
        Written = 0;
    }

    /// <summary>Floats written so far.</summary>
    public int Written { get; private set; }

    /// <summary>Floats still to write.</summary>
    public readonly int Remaining => _destination.Length - Written;

    /// <summary>Writes one value.</summary>
    /// <param name="value">The value.</param>
    public void Add(float value)
    {
        Reserve(1);
        _destination[Written++] = value;
    }

    /// <summary>Writes 1 for true, 0 for false.</summary>
    /// <param name="value">The flag.</param>
    public void Add(bool value) => Add(value ? 1f : 0f);

    /// <summary>Writes several values.</summary>
    /// <param name="values">The values.</param>
    public void Add(ReadOnlySpan<float> values)
    {
        Reserve(values.Length);
        values.CopyTo(_destination.Slice(Written));
        Written += values.Length;
    }

    /// <summary>Writes <paramref name="value"/> mapped linearly from [min, max] to [−1, 1] (and clamped there).</summary>
    /// <param name="value">The value.</param>
    /// <param name="min">Maps to −1.</param>
    /// <param name="max">Maps to 1; greater than <paramref name="min"/>.</param>
    public void AddNormalized(float value, float min, float max)
    {
        if (!(max > min)) throw new ArgumentException($"max ({max}) must exceed min ({min}).", nameof(max));
        Add(Math.Max(-1f, Math.Min(1f, 2f * (value - min) / (max - min) - 1f)));
    }

    /// <summary>Writes <paramref name="count"/> values: 1 at <paramref name="index"/>, 0 elsewhere.</summary>
    /// <param name="index">0 to count − 1.</param>
    /// <param name="count">At least 1.</param>
    public void AddOneHot(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        if ((uint)index >= (uint)count) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must lie in [0, {count}).");
        Reserve(count);
        _destination.Slice(Written, count).Clear();
        _destination[Written + index] = 1f;
        Written += count;
    }

    /// <summary>Throws unless the whole row has been written.</summary>
    public readonly void Complete()
    {
        if (Written != _destination.Length) throw new ArgumentException($"The observation holds {_destination.Length} values but {Written} were written.", "observation");
    }

    private readonly void Reserve(int count)
    {
        if (count > _destination.Length - Written)
        {
            throw new ArgumentException($"The observation holds {_destination.Length} values; writing {count} more after {Written} would overflow it.", "observation");
        }
    }
}
