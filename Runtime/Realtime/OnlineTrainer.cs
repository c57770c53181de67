using System;
using System.Diagnostics;

namespace Cortex.Realtime;

/// <summary>
/// Online supervised learning on a budget, on the game thread: samples go into a fixed-capacity
/// <see cref="SampleRing"/>, and each <see cref="Tick"/> runs minibatch updates (drawn with the trainer's
/// <see cref="SeededRandom"/>) until the <see cref="TrainingBudget"/> is spent. Updates go through
/// <see cref="Brain.TryTrain"/>, so a non-finite step is rejected and the weights stay the last good ones.
/// With a budget in updates, a seeded trainer fed the same samples produces bitwise-identical brains.
/// Allocates nothing per tick.
/// </summary>
public sealed class OnlineTrainer
{
    private readonly float[] _batchInputs, _batchTargets;
    private UpdatePacer _pacer;
    private long _updates, _rejectedUpdates, _ticks, _overruns, _totalTicks, _maxTicks;
    private TrainingBudget _budget;

    /// <summary>Creates a trainer for <paramref name="brain"/> (which it trains but does not own).</summary>
    /// <param name="brain">The brain to train.</param>
    /// <param name="capacity">Samples the ring keeps, at least 1.</param>
    /// <param name="batchSize">Rows per minibatch, 1 to brain.MaxBatch.</param>
    /// <param name="budget">Work allowed per tick.</param>
    /// <param name="seed">Seed of the minibatch sampler.</param>
    /// <param name="minSamples">Samples needed before the first update (0: one batch's worth).</param>
    public OnlineTrainer(Brain brain, int capacity, int batchSize, TrainingBudget budget, ulong seed, int minSamples = 0)
    {
        Brain = brain ?? throw new ArgumentNullException(nameof(brain));
        Brain.StepFilter ??= new SpikeGuard();   // a spike guard unless the caller set a filter
        if (batchSize < 1 || batchSize > brain.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must lie in [1, {brain.MaxBatch}] (the brain's MaxBatch).");
        }
        if (minSamples < 0) throw new ArgumentOutOfRangeException(nameof(minSamples), minSamples, "minSamples must be at least 0.");
        Samples = new SampleRing(brain.Inputs, brain.Outputs, capacity);
        if (minSamples > capacity) throw new ArgumentOutOfRangeException(nameof(minSamples), minSamples, $"minSamples must not exceed capacity {capacity}.");
        BatchSize = batchSize;
        MinSamples = minSamples == 0 ? Math.Min(batchSize, capacity) : minSamples;
        _budget = budget;
        Random = new SeededRandom(seed);
        _batchInputs = new float[batchSize * brain.Inputs];
        _batchTargets = new float[batchSize * brain.Outputs];
        LastTick = new TrainingTickReport(0, 0, 0.0, budget.MaxMicroseconds, false, float.NaN);
    }

    /// <summary>The brain being trained.</summary>
    public Brain Brain { get; }

    /// <summary>The samples kept.</summary>
    public SampleRing Samples { get; }

    /// <summary>Rows per minibatch.</summary>
    public int BatchSize { get; }

    /// <summary>Samples needed before updates start.</summary>
    public int MinSamples { get; }

    /// <summary>The minibatch sampler (save its state to resume exactly).</summary>
    public SeededRandom Random { get; }

    /// <summary>Work allowed per tick; may change between ticks.</summary>
    public TrainingBudget Budget
    {
        get => _budget;
        set => _budget = value;
    }

    /// <summary>What the last <see cref="Tick"/> did.</summary>
    public TrainingTickReport LastTick { get; private set; }

    /// <summary>Totals since creation.</summary>
    public TrainingStats Stats => new(_ticks, _updates, _rejectedUpdates, Samples.Rejected, 0, _overruns,
        TicksToMicroseconds(_totalTicks), TicksToMicroseconds(_maxTicks));

    /// <summary>Raised (on the calling thread) for every rejected sample or update.</summary>
    public event Action<TrainingRejection>? Rejected;

    /// <summary>Adds one sample; false (and <see cref="Rejected"/>) when a value is not finite.</summary>
    /// <param name="input">Exactly Inputs floats.</param>
    /// <param name="target">Exactly Outputs floats.</param>
    public bool AddSample(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (SampleFilter is { } filter && Columns.AllFinite(input) && Columns.AllFinite(target)
            && input.Length == Brain.Inputs && target.Length == Brain.Outputs && !filter.Accept(input, target))
        {
            Rejected?.Invoke(TrainingRejection.Sample);
            return false;
        }
        if (Samples.Append(input, target)) return true;
        Rejected?.Invoke(TrainingRejection.Sample);
        return false;
    }

    /// <summary>Adds a column of samples as unmanaged structs (one struct = one row). Returns the rows accepted.</summary>
    /// <typeparam name="TInput">Struct of Inputs floats.</typeparam>
    /// <typeparam name="TTarget">Struct of Outputs floats.</typeparam>
    /// <param name="inputs">One struct per sample.</param>
    /// <param name="targets">At least as many structs.</param>
    public int AddSamples<TInput, TTarget>(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets)
        where TInput : unmanaged where TTarget : unmanaged
    {
        if (SampleFilter is not null) return AddFilteredSamples(inputs, targets);
        int accepted = Samples.Append(inputs, targets);
        if (Rejected is { } handler) for (int i = accepted; i < inputs.Length; i++) handler(TrainingRejection.Sample);
        return accepted;
    }

    /// <summary>
    /// Decides which samples enter the ring (null, the default, keeps every finite sample); for example a
    /// <c>Cortex.Learning.SampleOutlierFilter</c>. Refused samples count as rejected samples.
    /// </summary>
    public ISampleFilter? SampleFilter { get; set; }

    private int AddFilteredSamples<TInput, TTarget>(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets)
        where TInput : unmanaged where TTarget : unmanaged
    {
        if (targets.Length < inputs.Length) throw new ArgumentException($"targets has {targets.Length} rows but inputs has {inputs.Length}.", nameof(targets));
        ReadOnlySpan<float> x = System.Runtime.InteropServices.MemoryMarshal.Cast<TInput, float>(inputs);
        ReadOnlySpan<float> t = System.Runtime.InteropServices.MemoryMarshal.Cast<TTarget, float>(targets);
        if (x.Length != inputs.Length * Brain.Inputs) throw new ArgumentException($"{typeof(TInput).Name} is not a row of {Brain.Inputs} floats.", nameof(inputs));
        if (t.Length != targets.Length * Brain.Outputs) throw new ArgumentException($"{typeof(TTarget).Name} is not a row of {Brain.Outputs} floats.", nameof(targets));
        int accepted = 0;
        for (int r = 0; r < inputs.Length; r++)
        {
            if (AddSample(x.Slice(r * Brain.Inputs, Brain.Inputs), t.Slice(r * Brain.Outputs, Brain.Outputs))) accepted++;
        }
        return accepted;
    }

    /// <summary>
    /// Runs minibatch updates until the budget is spent (nothing before <see cref="MinSamples"/> samples).
    /// With a time budget the first update always runs and further ones run while one more still fits at its
    /// mean cost plus three mean absolute deviations (both running averages over recent updates), so a noisy
    /// update seldom pushes the tick over; a tick that ends over budget counts as an overrun. An update that
    /// took more than twice the estimate (a stall) enters the averages as twice the estimate.
    /// </summary>
    public TrainingTickReport Tick()
    {
        TrainingBudget budget = _budget;
        _pacer.Begin(budget, Timestamp());
        int kept = 0, rejected = 0;
        double lossSum = 0;
        if (Samples.Count >= MinSamples)
        {
            while (_pacer.MayRun(kept + rejected))
            {
                Samples.Sample(Random, _batchInputs, _batchTargets, BatchSize);
                if (Brain.TryTrain(_batchInputs, _batchTargets, BatchSize, out float loss))
                {
                    kept++;
                    lossSum += loss;
                }
                else
                {
                    rejected++;
                    Rejected?.Invoke(TrainingRejection.Update);
                }
                _pacer.Ran(Timestamp());
            }
        }
        long used = _pacer.Elapsed;
        bool overran = _pacer.Overran;
        _ticks++;
        _updates += kept;
        _rejectedUpdates += rejected;
        _totalTicks += used;
        if (used > _maxTicks) _maxTicks = used;
        if (overran) _overruns++;
        LastTick = new TrainingTickReport(kept, rejected, TicksToMicroseconds(used), budget.MaxMicroseconds, overran,
            kept > 0 ? (float)(lossSum / kept) : float.NaN);
        return LastTick;
    }

    /// <summary>Test seam: replaces <see cref="Stopwatch.GetTimestamp"/> (same units, <see cref="Stopwatch.Frequency"/> per second).</summary>
    internal Func<long>? Clock { get; set; }

    private long Timestamp() => Clock is { } clock ? clock() : Stopwatch.GetTimestamp();

    internal static double TicksToMicroseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
