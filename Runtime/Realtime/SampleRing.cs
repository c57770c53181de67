using System;
using System.Runtime.InteropServices;

namespace Cortex.Realtime;

/// <summary>
/// A fixed-capacity ring of training samples (input row, target row): once full, each new sample
/// overwrites the oldest. Samples with a NaN or infinity are rejected at append time and counted, so
/// they never reach a minibatch. Minibatches are drawn uniformly (with replacement) from a
/// <see cref="SeededRandom"/>. Allocates nothing after construction. One thread at a time.
/// </summary>
public sealed class SampleRing
{
    private readonly float[] _inputs, _targets;
    private int _next;

    /// <summary>Creates an empty ring.</summary>
    /// <param name="inputs">Floats per input row, at least 1.</param>
    /// <param name="targets">Floats per target row, at least 1.</param>
    /// <param name="capacity">Samples kept, at least 1.</param>
    public SampleRing(int inputs, int targets, int capacity)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "inputs must be at least 1.");
        if (targets < 1) throw new ArgumentOutOfRangeException(nameof(targets), targets, "targets must be at least 1.");
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be at least 1.");
        long size = (long)capacity * Math.Max(inputs, targets);
        if (size > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"capacity {capacity} times a row of {Math.Max(inputs, targets)} floats is too large.");
        Inputs = inputs;
        Targets = targets;
        Capacity = capacity;
        _inputs = new float[capacity * inputs];
        _targets = new float[capacity * targets];
    }

    /// <summary>Floats per input row.</summary>
    public int Inputs { get; }

    /// <summary>Floats per target row.</summary>
    public int Targets { get; }

    /// <summary>Most samples kept.</summary>
    public int Capacity { get; }

    /// <summary>Samples held now (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>Samples accepted since creation (overwritten ones included).</summary>
    public long Appended { get; private set; }

    /// <summary>Samples rejected because a value was NaN or infinite.</summary>
    public long Rejected { get; private set; }

    /// <summary>
    /// Appends one sample unless a value is not finite (then it is counted in <see cref="Rejected"/> and false is returned).
    /// </summary>
    /// <param name="input">Exactly <see cref="Inputs"/> floats.</param>
    /// <param name="target">Exactly <see cref="Targets"/> floats.</param>
    public bool Append(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (input.Length != Inputs) throw new ArgumentException($"input holds {input.Length} floats but the ring's rows hold {Inputs}.", nameof(input));
        if (target.Length != Targets) throw new ArgumentException($"target holds {target.Length} floats but the ring's target rows hold {Targets}.", nameof(target));
        return AppendRow(input, target);
    }

    /// <summary>
    /// Appends a column of samples given as unmanaged structs (one struct = one row); rows with a
    /// non-finite value are skipped and counted. Returns the rows accepted.
    /// </summary>
    /// <typeparam name="TInput">Struct of <see cref="Inputs"/> floats.</typeparam>
    /// <typeparam name="TTarget">Struct of <see cref="Targets"/> floats.</typeparam>
    /// <param name="inputs">One struct per sample.</param>
    /// <param name="targets">At least as many structs.</param>
    public int Append<TInput, TTarget>(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets)
        where TInput : unmanaged where TTarget : unmanaged
    {
        Columns.CheckRow<TInput>(Inputs, nameof(inputs), "the ring's input row");
        Columns.CheckRow<TTarget>(Targets, nameof(targets), "the ring's target row");
        if (targets.Length < inputs.Length) throw new ArgumentException($"targets holds {targets.Length} rows but inputs holds {inputs.Length}.", nameof(targets));
        ReadOnlySpan<float> x = MemoryMarshal.Cast<TInput, float>(inputs), y = MemoryMarshal.Cast<TTarget, float>(targets);
        int accepted = 0;
        for (int r = 0; r < inputs.Length; r++)
        {
            if (AppendRow(x.Slice(r * Inputs, Inputs), y.Slice(r * Targets, Targets))) accepted++;
        }
        return accepted;
    }

    /// <summary>Input row <paramref name="index"/>, 0 being the oldest sample held.</summary>
    /// <param name="index">In [0, <see cref="Count"/>).</param>
    public ReadOnlySpan<float> InputAt(int index) => _inputs.AsSpan(Physical(index) * Inputs, Inputs);

    /// <summary>Target row <paramref name="index"/>, 0 being the oldest sample held.</summary>
    /// <param name="index">In [0, <see cref="Count"/>).</param>
    public ReadOnlySpan<float> TargetAt(int index) => _targets.AsSpan(Physical(index) * Targets, Targets);

    /// <summary>
    /// Draws <paramref name="batch"/> samples uniformly with replacement into (batch, Inputs) and (batch, Targets)
    /// rows. The draw depends only on the generator's state and <see cref="Count"/>.
    /// </summary>
    /// <param name="random">The generator (e.g. the trainer's).</param>
    /// <param name="inputs">At least batch·Inputs floats.</param>
    /// <param name="targets">At least batch·Targets floats.</param>
    /// <param name="batch">Rows, at least 1.</param>
    public void Sample(SeededRandom random, Span<float> inputs, Span<float> targets, int batch)
    {
        if (random is null) throw new ArgumentNullException(nameof(random));
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (Count == 0) throw new InvalidOperationException("The ring is empty: append samples before sampling.");
        if (inputs.Length < (long)batch * Inputs) throw new ArgumentException($"inputs holds {inputs.Length} floats but batch*Inputs = {batch}*{Inputs} = {(long)batch * Inputs} are needed.", nameof(inputs));
        if (targets.Length < (long)batch * Targets) throw new ArgumentException($"targets holds {targets.Length} floats but batch*Targets = {batch}*{Targets} = {(long)batch * Targets} are needed.", nameof(targets));
        for (int r = 0; r < batch; r++)
        {
            int slot = random.NextInt(Count);
            _inputs.AsSpan(slot * Inputs, Inputs).CopyTo(inputs.Slice(r * Inputs, Inputs));
            _targets.AsSpan(slot * Targets, Targets).CopyTo(targets.Slice(r * Targets, Targets));
        }
    }

    /// <summary>Forgets every sample (the counters stay).</summary>
    public void Clear()
    {
        Count = 0;
        _next = 0;
    }

    private bool AppendRow(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (!Columns.AllFinite(input) || !Columns.AllFinite(target))
        {
            Rejected++;
            return false;
        }
        input.CopyTo(_inputs.AsSpan(_next * Inputs, Inputs));
        target.CopyTo(_targets.AsSpan(_next * Targets, Targets));
        _next = _next + 1 == Capacity ? 0 : _next + 1;
        if (Count < Capacity) Count++;
        Appended++;
        return true;
    }

    private int Physical(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must lie in [0, {Count}).");
        int oldest = Count < Capacity ? 0 : _next;
        int slot = oldest + index;
        return slot >= Capacity ? slot - Capacity : slot;
    }
}
