using System;
using System.Threading;

namespace Cortex.Realtime;

/// <summary>
/// A bounded single-producer single-consumer queue of samples (input row, target row): the game thread
/// enqueues, a training thread drains. Lock-free; allocates nothing after construction. When full,
/// <see cref="TryEnqueue"/> refuses the sample instead of waiting.
/// </summary>
internal sealed class SampleQueue
{
    private readonly float[] _inputs, _targets;
    private readonly int _mask;
    private int _head, _tail;   // consumed / produced counts; they wrap, only their difference matters

    public SampleQueue(int inputs, int targets, int capacity)
    {
        int size = 1;
        while (size < capacity) size <<= 1;
        Inputs = inputs;
        Targets = targets;
        Capacity = size;
        _mask = size - 1;
        _inputs = new float[size * inputs];
        _targets = new float[size * targets];
    }

    public int Inputs { get; }

    public int Targets { get; }

    /// <summary>Samples the queue holds at most (capacity rounded up to a power of two).</summary>
    public int Capacity { get; }

    /// <summary>Producer: copies a sample in; false when the queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        int tail = _tail;
        if (unchecked(tail - Volatile.Read(ref _head)) >= Capacity) return false;
        int slot = tail & _mask;
        input.CopyTo(_inputs.AsSpan(slot * Inputs, Inputs));
        target.CopyTo(_targets.AsSpan(slot * Targets, Targets));
        Volatile.Write(ref _tail, unchecked(tail + 1));
        return true;
    }

    /// <summary>Consumer: moves every queued sample into <paramref name="ring"/>; returns how many were moved.</summary>
    public int DrainInto(SampleRing ring)
    {
        int head = _head, tail = Volatile.Read(ref _tail), moved = 0;
        while (head != tail)
        {
            int slot = head & _mask;
            ring.Append(_inputs.AsSpan(slot * Inputs, Inputs), _targets.AsSpan(slot * Targets, Targets));
            head = unchecked(head + 1);
            moved++;
        }
        Volatile.Write(ref _head, head);
        return moved;
    }
}
