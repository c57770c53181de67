using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace Cortex.Realtime;

/// <summary>Settings of a <see cref="BackgroundTrainer"/>.</summary>
public sealed class BackgroundTrainerOptions
{
    /// <summary>Samples the worker's ring keeps (default 4096).</summary>
    public int Capacity { get; set; } = 4096;

    /// <summary>Rows per minibatch (default 32; at most the brain's MaxBatch).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Seed of the minibatch sampler (default 1).</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>Samples needed before the first update (0, the default: one batch's worth).</summary>
    public int MinSamples { get; set; }

    /// <summary>
    /// Updates granted per <see cref="BackgroundTrainer.Tick"/>, which paces learning to game time (default 4).
    /// 0 lets the worker train as fast as it can whenever it has samples.
    /// </summary>
    public int UpdatesPerTick { get; set; } = 4;

    /// <summary>Granted updates that may be banked when the worker falls behind, in ticks' worth (default 4).</summary>
    public int MaxBankedTicks { get; set; } = 4;

    /// <summary>Publish the weights after this many updates (default 1: every update).</summary>
    public int PublishEvery { get; set; } = 1;

    /// <summary>Samples in flight from the game thread to the worker; more are dropped and counted (default 4096).</summary>
    public int QueueCapacity { get; set; } = 4096;
}

/// <summary>
/// Training on a worker thread while the game thread keeps predicting with the last published weights.
/// The worker owns the training brain; after each <see cref="BackgroundTrainerOptions.PublishEvery"/> updates
/// it publishes the weights through a lock-free <see cref="ParameterExchange"/> (triple buffer).
/// The game thread calls <see cref="AddSample"/>, <see cref="Tick"/> and, at the start of a tick,
/// <see cref="Pull"/> to load the newest weights into its inference brain: it never waits on a lock held
/// during a training step and never sees torn weights. An exception on the worker stops it and is rethrown
/// (wrapped) by the next game-thread call. Learning is not deterministic in this mode (it depends on
/// thread timing); use <see cref="OnlineTrainer"/> for reproducible runs.
/// </summary>
public sealed class BackgroundTrainer : IDisposable
{
    private readonly SampleQueue _queue;
    private readonly SampleRing _ring;
    private readonly SeededRandom _random;
    private readonly float[] _batchInputs, _batchTargets;
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly int _batchSize, _minSamples, _updatesPerTick, _maxCredits, _publishEvery;
    private Thread? _thread;
    private Exception? _fault;
    private bool _stopRequested, _disposed;
    private int _credits;
    private long _updates, _rejectedUpdates, _rejectedSamples, _droppedSamples, _ticks, _busyTicks, _maxUpdateTicks;

    /// <summary>Creates a stopped trainer; <see cref="Start"/> launches the worker.</summary>
    /// <param name="trainingBrain">The brain the worker trains. Do not touch it while the trainer runs.</param>
    /// <param name="options">Settings (null: defaults).</param>
    public BackgroundTrainer(Brain trainingBrain, BackgroundTrainerOptions? options = null)
    {
        TrainingBrain = trainingBrain ?? throw new ArgumentNullException(nameof(trainingBrain));
        TrainingBrain.StepFilter ??= new SpikeGuard();   // a spike guard unless the caller set a filter
        options ??= new BackgroundTrainerOptions();
        if (options.BatchSize < 1 || options.BatchSize > trainingBrain.MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"BatchSize must lie in [1, {trainingBrain.MaxBatch}] (the brain's MaxBatch).");
        }
        if (options.Capacity < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Capacity, "Capacity must be at least 1.");
        if (options.MinSamples < 0 || options.MinSamples > options.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinSamples, $"MinSamples must lie in [0, Capacity = {options.Capacity}].");
        }
        if (options.UpdatesPerTick < 0) throw new ArgumentOutOfRangeException(nameof(options), options.UpdatesPerTick, "UpdatesPerTick must be at least 0.");
        if (options.MaxBankedTicks < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxBankedTicks, "MaxBankedTicks must be at least 1.");
        if (options.PublishEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), options.PublishEvery, "PublishEvery must be at least 1.");
        if (options.QueueCapacity < 1 || options.QueueCapacity > 1 << 24)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.QueueCapacity, $"QueueCapacity must lie in [1, {1 << 24}].");
        }
        int inputs = trainingBrain.Inputs, outputs = trainingBrain.Outputs;
        _batchSize = options.BatchSize;
        _minSamples = options.MinSamples == 0 ? Math.Min(options.BatchSize, options.Capacity) : options.MinSamples;
        _updatesPerTick = options.UpdatesPerTick;
        _maxCredits = options.UpdatesPerTick * options.MaxBankedTicks;
        _publishEvery = options.PublishEvery;
        _queue = new SampleQueue(inputs, outputs, options.QueueCapacity);
        _ring = new SampleRing(inputs, outputs, options.Capacity);
        _random = new SeededRandom(options.Seed);
        _batchInputs = new float[_batchSize * inputs];
        _batchTargets = new float[_batchSize * outputs];
        float[] initial = new float[trainingBrain.ParameterCount];
        trainingBrain.CopyParametersTo(initial);
        Exchange = new ParameterExchange(initial);
    }

    /// <summary>The brain the worker trains; the game thread may use it only before <see cref="Start"/> or after <see cref="Stop"/>.</summary>
    public Brain TrainingBrain { get; }

    /// <summary>Where the worker publishes weights (version 0: the weights at construction).</summary>
    public ParameterExchange Exchange { get; }

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/> while the worker has not failed.</summary>
    public bool IsRunning => _thread is not null && !Volatile.Read(ref _stopRequested) && Volatile.Read(ref _fault) is null;

    /// <summary>Newest published version (any thread).</summary>
    public long PublishedVersion => Exchange.PublishedVersion;

    /// <summary>Version the last <see cref="Pull"/> loaded (game thread).</summary>
    public long AcquiredVersion => Exchange.AcquiredVersion;

    /// <summary>
    /// Totals so far: ticks, updates, rejections, dropped samples, the worker's busy time and its longest update
    /// (as <see cref="TrainingStats.MaxTickMicroseconds"/>). Any thread.
    /// </summary>
    public TrainingStats Stats => new(Interlocked.Read(ref _ticks), Interlocked.Read(ref _updates), Interlocked.Read(ref _rejectedUpdates),
        Interlocked.Read(ref _rejectedSamples), Interlocked.Read(ref _droppedSamples), 0,
        OnlineTrainer.TicksToMicroseconds(Interlocked.Read(ref _busyTicks)), OnlineTrainer.TicksToMicroseconds(Interlocked.Read(ref _maxUpdateTicks)));

    /// <summary>Test seam: runs on the worker before each update.</summary>
    internal Action? BeforeUpdate { get; set; }

    /// <summary>Test seam: runs on the worker after each publication with the version and the weights published.</summary>
    internal PublishedHandler? Published { get; set; }

    internal delegate void PublishedHandler(long version, ReadOnlySpan<float> parameters);

    /// <summary>Launches the worker thread (once).</summary>
    public void Start()
    {
        ThrowIfDisposed();
        if (_thread is not null) throw new InvalidOperationException("The background trainer was already started.");
        _thread = new Thread(Run) { IsBackground = true, Name = "Cortex background trainer" };
        _thread.Start();
    }

    /// <summary>Game thread: hands one sample to the worker. False when a value is not finite or the queue is full (both counted).</summary>
    /// <param name="input">Exactly Inputs floats.</param>
    /// <param name="target">Exactly Outputs floats.</param>
    public bool AddSample(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        ThrowIfFaulted();
        if (input.Length != _queue.Inputs) throw new ArgumentException($"input holds {input.Length} floats but the brain takes {_queue.Inputs}.", nameof(input));
        if (target.Length != _queue.Targets) throw new ArgumentException($"target holds {target.Length} floats but the brain outputs {_queue.Targets}.", nameof(target));
        return Enqueue(input, target);
    }

    /// <summary>Game thread: hands a column of samples (one unmanaged struct = one row) to the worker. Returns the rows accepted.</summary>
    /// <typeparam name="TInput">Struct of Inputs floats.</typeparam>
    /// <typeparam name="TTarget">Struct of Outputs floats.</typeparam>
    /// <param name="inputs">One struct per sample.</param>
    /// <param name="targets">At least as many structs.</param>
    public int AddSamples<TInput, TTarget>(ReadOnlySpan<TInput> inputs, ReadOnlySpan<TTarget> targets)
        where TInput : unmanaged where TTarget : unmanaged
    {
        ThrowIfFaulted();
        Columns.CheckRow<TInput>(_queue.Inputs, nameof(inputs), "Inputs of the training brain");
        Columns.CheckRow<TTarget>(_queue.Targets, nameof(targets), "Outputs of the training brain");
        if (targets.Length < inputs.Length) throw new ArgumentException($"targets holds {targets.Length} rows but inputs holds {inputs.Length}.", nameof(targets));
        ReadOnlySpan<float> x = MemoryMarshal.Cast<TInput, float>(inputs), y = MemoryMarshal.Cast<TTarget, float>(targets);
        int accepted = 0, n = _queue.Inputs, m = _queue.Targets;
        for (int r = 0; r < inputs.Length; r++)
        {
            if (Enqueue(x.Slice(r * n, n), y.Slice(r * m, m))) accepted++;
        }
        return accepted;
    }

    /// <summary>Game thread, once per fixed tick: grants the worker its updates for this tick and wakes it. Throws if the worker failed.</summary>
    public void Tick()
    {
        ThrowIfFaulted();
        Interlocked.Increment(ref _ticks);
        if (_updatesPerTick > 0)
        {
            int add = Math.Min(_updatesPerTick, _maxCredits - Volatile.Read(ref _credits));
            if (add > 0) Interlocked.Add(ref _credits, add);
        }
        _signal.Set();
    }

    /// <summary>
    /// Game thread, at the start of a tick: loads the newest published weights into <paramref name="inference"/>
    /// (a brain of the same shape that only the game thread uses). Returns true when they changed. Throws if the worker failed.
    /// </summary>
    /// <param name="inference">The brain the game thread predicts with.</param>
    public bool Pull(Brain inference)
    {
        ThrowIfFaulted();
        return Exchange.TryPull(inference);
    }

    /// <summary>Stops the worker after its current update, publishes what it learned, and rethrows a worker failure.</summary>
    public void Stop()
    {
        StopWorker();
        ThrowIfFaulted();
    }

    /// <summary>Stops the worker (without rethrowing its failure) and releases the wake-up event. The brains are not disposed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        StopWorker();
        _disposed = true;
        _signal.Dispose();
    }

    private void StopWorker()
    {
        if (_disposed) return;
        Volatile.Write(ref _stopRequested, true);
        _signal.Set();
        _thread?.Join();
    }

    private bool Enqueue(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        if (!Columns.AllFinite(input) || !Columns.AllFinite(target))
        {
            Interlocked.Increment(ref _rejectedSamples);
            return false;
        }
        if (_queue.TryEnqueue(input, target)) return true;
        Interlocked.Increment(ref _droppedSamples);
        return false;
    }

    private void Run()
    {
        int sincePublish = 0;
        try
        {
            while (!Volatile.Read(ref _stopRequested))
            {
                _signal.Reset();
                _queue.DrainInto(_ring);
                bool granted = _updatesPerTick == 0 || Volatile.Read(ref _credits) > 0;
                if (_ring.Count < _minSamples || !granted)
                {
                    _signal.Wait(50);
                    continue;
                }
                BeforeUpdate?.Invoke();
                long start = Stopwatch.GetTimestamp();
                _ring.Sample(_random, _batchInputs, _batchTargets, _batchSize);
                if (TrainingBrain.TryTrain(_batchInputs, _batchTargets, _batchSize, out _)) Interlocked.Increment(ref _updates);
                else Interlocked.Increment(ref _rejectedUpdates);
                if (_updatesPerTick > 0) Interlocked.Decrement(ref _credits);
                if (++sincePublish >= _publishEvery)
                {
                    Publish();
                    sincePublish = 0;
                }
                long used = Stopwatch.GetTimestamp() - start;
                Interlocked.Add(ref _busyTicks, used);
                if (used > Interlocked.Read(ref _maxUpdateTicks)) Interlocked.Exchange(ref _maxUpdateTicks, used);
            }
            if (sincePublish > 0) Publish();
        }
        catch (Exception e)
        {
            Volatile.Write(ref _fault, e);
        }
    }

    private void Publish()
    {
        Span<float> back = Exchange.BackBuffer;
        TrainingBrain.CopyParametersTo(back);
        long version = Exchange.Publish();
        // The published buffer now belongs to the reader side, which only reads it; reading it here is safe.
        Published?.Invoke(version, back);
    }

    private void ThrowIfFaulted()
    {
        ThrowIfDisposed();
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw new InvalidOperationException($"The background trainer's worker failed: {fault.Message}", fault);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(BackgroundTrainer));
    }
}
