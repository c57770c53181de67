using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Layers;

namespace Cortex;

/// <summary>
/// A multilayer perceptron with everything it needs to think and learn: layers, loss, optimizer, one parameter arena,
/// one gradient arena, one arena per optimizer moment, and a workspace sized once for <see cref="MaxBatch"/>. Every
/// backend runs the same code: the layers' Forward and Backward. <see cref="Predict"/> and
/// <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> allocate nothing. Not thread-safe: one thread at a time.
/// </summary>
public sealed class Brain : IDisposable
{
    private readonly IBackend _backend;
    private readonly bool _ownsBackend;
    private readonly LayerStack _stack;
    private readonly ParameterArena _arena;
    private readonly Workspace _work;
    private readonly SingleThreadGuard _threads = new("Brain", "A Brain is used by one thread at a time.");
    private readonly StepGuard _guard;
    private readonly BrainMetadata _metadata = new();
    private Optimizer _optimizer;
    private float _lastLoss = float.NaN;
    private bool _disposed, _stepPending;

    internal Brain(BrainSpec spec, ulong seed, IBackend backend, bool ownsBackend)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _ownsBackend = ownsBackend;
        _optimizer = spec.Optimizer;
        Random = new SeededRandom(seed);
        _stack = new LayerStack(spec, backend);
        _work = _stack.Workspace;
        _arena = new ParameterArena(backend, _stack.Layers, spec.MaxBatch, spec.Optimizer.MomentCount);
        _guard = new StepGuard(_arena);
        _arena.Initialize(_stack.Layers, Random);
    }

    /// <summary>Starts describing a brain with <paramref name="inputs"/> values per input row.</summary>
    /// <param name="inputs">Input width, at least 1.</param>
    public static BrainBuilder Create(int inputs) => new(inputs);

    /// <summary>Builds a brain from a spec on a backend the caller owns (null: a CPU backend of its own).</summary>
    /// <param name="spec">What to build.</param>
    /// <param name="seed">Seed for the weights.</param>
    /// <param name="backend">Where to run; null for a private single-threaded CPU backend.</param>
    public static Brain FromSpec(BrainSpec spec, ulong seed, IBackend? backend = null) =>
        backend is null ? new Brain(spec, seed, new CpuBackend(), ownsBackend: true) : new Brain(spec, seed, backend, ownsBackend: false);

    /// <summary>The architecture, loss, optimizer and batch limit.</summary>
    public BrainSpec Spec { get; }

    /// <summary>Values per input row.</summary>
    public int Inputs => Spec.Inputs;

    /// <summary>Values per output row.</summary>
    public int Outputs => Spec.Outputs;

    /// <summary>Largest training batch.</summary>
    public int MaxBatch => Spec.MaxBatch;

    /// <summary>Total weights and biases.</summary>
    public int ParameterCount => Spec.ParameterCount;

    /// <summary>The layers, first to last, bound to this brain's arenas.</summary>
    public IReadOnlyList<Layer> Layers => _stack.Layers;

    /// <summary>The backend the brain runs on.</summary>
    public IBackend Backend => _backend;

    /// <summary>The training loss.</summary>
    public Loss Loss => Spec.Loss;

    /// <summary>
    /// The update rule; may be replaced between steps (e.g. a learning-rate schedule) by one of the same
    /// <see cref="OptimizerKind"/>, which keeps the moments.
    /// </summary>
    public Optimizer Optimizer
    {
        get => _optimizer;
        set
        {
            if (value.Kind != _optimizer.Kind)
            {
                throw new ArgumentException($"The brain was built for {_optimizer.Kind}; it cannot switch to {value.Kind} (its moments would not fit).", nameof(value));
            }
            if (value.LearningRate <= 0f) throw new ArgumentException("The optimizer is the default value.", nameof(value));
            _optimizer = value;
        }
    }

    /// <summary>Optimizer steps taken (rejected steps not counted).</summary>
    public long Steps
    {
        get
        {
            Settle();
            return _guard.Steps;
        }
        internal set
        {
            Settle();
            _guard.Steps = value;
        }
    }

    /// <summary>Steps rejected because the loss or a gradient was not finite; the weights stayed as they were.</summary>
    public long RejectedSteps
    {
        get
        {
            Settle();
            return _guard.RejectedSteps;
        }
    }

    /// <summary>‖∇J‖₂ of the last gradient applied or rejected (before clipping).</summary>
    public float LastGradientNorm
    {
        get
        {
            Settle();
            return _guard.LastGradientNorm;
        }
    }

    /// <summary>
    /// The mean loss of the last training step (<c>Train</c>, <see cref="TryTrain"/>, <see cref="TrainPipelined"/>);
    /// NaN before the first. Waits for a pipelined step still on the device.
    /// </summary>
    public float LastLoss
    {
        get
        {
            Settle();
            return _lastLoss;
        }
    }

    /// <summary>The brain's own generator: it drew the weights; saving a brain saves its state.</summary>
    public SeededRandom Random { get; }

    /// <summary>A name saved with the brain ("" by default); at most 1024 chars to be saved.</summary>
    public string Name
    {
        get => _metadata.Name;
        set => _metadata.Name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The user's string entries, saved with the brain (keys 1–256 chars, values up to 65,536, at most 4096 entries).</summary>
    public IDictionary<string, string> UserData => _metadata.UserData;

    /// <summary>
    /// Named float arrays saved with the brain, for state that belongs with it — e.g. a learner's observation-normaliser
    /// mean and variance. Values must be finite; names 1–256 chars; at most 1024 sections. The arrays are copied when
    /// saved and handed over as they are when loaded.
    /// </summary>
    public IDictionary<string, float[]> Sections => _metadata.Sections;

    internal BrainMetadata Metadata => _metadata;

    internal ParameterArena Arena => _arena;

    internal Workspace Workspace => _work;

    /// <summary>
    /// Reviews every optimizer step before it is taken (<see cref="ApplyGradients"/>, and so <c>Train</c> and
    /// <see cref="TryTrain"/>): it may reject or shrink it. Null (the default for a brain of its own) takes every finite
    /// step; <c>OnlineTrainer</c>, <c>BackgroundTrainer</c> and the learners install a <see cref="SpikeGuard"/> unless one
    /// is set. A filter that accepts (returns 1) leaves the step bit for bit as without a filter.
    /// </summary>
    public IStepFilter? StepFilter { get; set; }

    /// <summary>Called just before each optimizer step, while the gradients and the last forward pass are in place (gradient health).</summary>
    internal IStepObserver? StepObserver { get; set; }

    /// <summary>
    /// Runs the network on <paramref name="batch"/> rows: outputs (batch, Outputs) from inputs (batch, Inputs).
    /// Batches larger than <see cref="MaxBatch"/> are processed in chunks. Allocates nothing.
    /// </summary>
    /// <param name="inputs">At least batch·Inputs values, row-major.</param>
    /// <param name="outputs">At least batch·Outputs values; the first batch·Outputs are written.</param>
    /// <param name="batch">Rows, at least 0.</param>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Predict));
        ThrowIfDisposed();
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be non-negative.");
        BrainChecks.CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        BrainChecks.CheckRows(outputs.Length, batch, Outputs, nameof(outputs));
        SingleThreadGuard.CheckDisjoint(inputs.Slice(0, batch * Inputs), outputs.Slice(0, batch * Outputs), nameof(inputs), nameof(outputs));
        _stack.Predict(inputs, outputs, batch);
    }

    /// <summary>
    /// One minibatch step: forward, loss, backward, optimizer update. Returns the mean loss of the batch before the
    /// update. A non-finite loss or gradient rejects the step (weights unchanged, <see cref="RejectedSteps"/> counts it,
    /// and the returned loss may still be finite: <see cref="TryTrain"/> says whether the step was kept). Allocates nothing.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs): one-hot rows (or probabilities) for classification.</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Train));
        Settle();
        if (_work.Scalars is not null) return _lastLoss = TrainQueued((IQueuedScalarsBackend)_backend, _work.Scalars, inputs, targets, batch);
        float loss = AccumulateGradients(inputs, targets, batch);
        if (IsFinite(loss)) ApplyGradients();
        else _guard.Reject();
        return _lastLoss = loss;
    }

    /// <summary>
    /// One minibatch step, as <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>, that does not wait for
    /// its own loss: returns the mean loss of the brain's previous training step (NaN when there was none), and this
    /// step's loss is <see cref="LastLoss"/> (which waits for it). On a device backend (OpenCL) the whole step is queued —
    /// forward, loss, backward, gradient norm, and the optimizer step with its clipping scale and its finite-step check
    /// decided on the device — and the host waits only for the previous step's loss and gradient norm, which were queued
    /// before this step's work, so the device has this step to run meanwhile. <see cref="Steps"/>,
    /// <see cref="RejectedSteps"/> and <see cref="LastGradientNorm"/> count a step once its results are read: reading any of
    /// them, <see cref="LastLoss"/>, or any other training call reads a pending step first. With a
    /// <see cref="StepFilter"/> (it needs the norm on the host before the step) and on the CPU backend the step runs as
    /// <c>Train</c> does and the same value is returned. The weights and counters after a run of steps are those of the same
    /// run of <c>Train</c> calls. Allocates nothing.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    /// <returns>The previous training step's mean loss (NaN before the first).</returns>
    public float TrainPipelined(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(TrainPipelined));
        ScalarQueue? queue = _work.Scalars;
        if (queue is null || StepFilter is not null || StepObserver is not null)
        {
            Settle();
            float previous = _lastLoss;
            Train(inputs, targets, batch);
            return previous;
        }
        CheckTrainingBatch(inputs, targets, batch);
        var device = (IQueuedScalarsBackend)_backend;
        _stack.QueueAccumulate(device, queue, Spec.Loss, inputs, targets, batch, _arena.Gradients.All);
        Settle();                                           // the previous step's scalars, while this step's work is queued
        float previousLoss = _lastLoss;
        _arena.QueueStep(device, queue, _optimizer, _guard.Steps + 1);
        device.BeginReadQueued(queue);
        _stepPending = true;
        return previousLoss;
    }

    // Reads the results of a pipelined step still pending and counts it.
    private void Settle()
    {
        if (!_stepPending) return;
        _stepPending = false;
        ((IQueuedScalarsBackend)_backend).EndReadQueued(_work.Scalars!, out float loss, out double squares);
        _guard.Record(loss, squares);
        _lastLoss = loss;
    }

    /// <summary>
    /// Forward, loss and backward without a step: adds the gradient of the batch's mean loss to the accumulated
    /// gradients and returns that loss. <see cref="ApplyGradients"/> takes the step. (When the loss is not finite the
    /// gradients are left untouched.)
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(AccumulateGradients));
        Settle();
        CheckTrainingBatch(inputs, targets, batch);
        return _stack.Accumulate(Spec.Loss, inputs, targets, batch);
    }

    /// <summary>One minibatch step with class labels instead of one-hot targets (see <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>).</summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="labels">batch class indices in [0, Outputs) (0 or 1 for a single output).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Train));
        ThrowIfDisposed();
        BrainChecks.CheckBatch(batch, MaxBatch);
        BrainChecks.CheckRows(labels.Length, batch, 1, nameof(labels));
        Metrics.FillOneHot(_work.HostTarget, labels.Slice(0, batch), Outputs, nameof(labels));
        return Train(inputs, _work.HostTarget.AsSpan(0, batch * Outputs), batch);
    }

    /// <summary>
    /// <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> that also guards the result: a step whose loss
    /// or gradient is not finite is rejected as before, and a step that leaves a weight (or the sum of their squares)
    /// non-finite is rolled back — weights, optimizer moments and <see cref="Steps"/> return to the last good values and
    /// <see cref="RejectedSteps"/> counts it. Returns true when the step was kept. Allocates nothing after its first call
    /// (which sizes the snapshot).
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    /// <param name="loss">Mean loss of the batch before the step (may be NaN or infinite when rejected).</param>
    public bool TryTrain(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, out float loss)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(TryTrain));
        CheckTrainingBatch(inputs, targets, batch);
        Settle();
        _guard.Begin();
        loss = Train(inputs, targets, batch);
        return _guard.End();
    }

    /// <summary>Mean loss and accuracy over <paramref name="count"/> rows, in chunks of <see cref="MaxBatch"/>. Changes nothing.</summary>
    /// <param name="inputs">(count, Inputs).</param>
    /// <param name="targets">(count, Outputs).</param>
    /// <param name="count">Rows, at least 1.</param>
    public Evaluation Evaluate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int count)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Evaluate));
        ThrowIfDisposed();
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Evaluate needs at least one row.");
        BrainChecks.CheckRows(inputs.Length, count, Inputs, nameof(inputs));
        BrainChecks.CheckRows(targets.Length, count, Outputs, nameof(targets));
        return _stack.Evaluate(Spec.Loss, inputs, targets, count);
    }

    /// <summary>
    /// Forward pass that keeps what <see cref="Backward"/> needs, for learners that compute their own output gradient.
    /// Returns the outputs (batch, Outputs); the span is valid until the next call on this brain.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> inputs, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Forward));
        ThrowIfDisposed();
        BrainChecks.CheckBatch(batch, MaxBatch);
        if (batch == 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "Forward needs at least one row.");
        BrainChecks.CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        return _stack.ForwardKept(inputs, batch);
    }

    /// <summary>
    /// Backpropagates a gradient with respect to the outputs of the last <see cref="Forward"/> (same batch) and
    /// accumulates into the parameter gradients. Scale it yourself (e.g. 1/batch for a mean).
    /// </summary>
    /// <param name="outputGradient">dL/dy (batch, Outputs).</param>
    /// <param name="batch">The batch of the preceding <see cref="Forward"/>.</param>
    public void Backward(ReadOnlySpan<float> outputGradient, int batch)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Backward));
        BackwardFrom(outputGradient, batch, default);
    }

    /// <summary>
    /// <see cref="Backward(ReadOnlySpan{float}, int)"/> that also writes dL/d inputs (batch, Inputs), for learners that differentiate
    /// through a network's inputs (SAC's actor through Q(s, a)). Its device buffer is allocated on the first call.
    /// </summary>
    internal void BackwardToInputs(ReadOnlySpan<float> outputGradient, int batch, Span<float> inputGradient)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(BackwardToInputs));
        BrainChecks.CheckRows(inputGradient.Length, batch, Inputs, nameof(inputGradient));
        BackwardFrom(outputGradient, batch, inputGradient);
    }

    private void BackwardFrom(ReadOnlySpan<float> outputGradient, int batch, Span<float> inputGradient)
    {
        ThrowIfDisposed();
        if (_work.ForwardRows < 1 || !_work.InputKept) throw new InvalidOperationException("Backward needs a preceding Forward on this brain (Predict, Train and Evaluate overwrite its activations).");
        if (batch != _work.ForwardRows) throw new ArgumentException($"batch is {batch} but the preceding Forward ran {_work.ForwardRows} rows.", nameof(batch));
        BrainChecks.CheckRows(outputGradient.Length, batch, Outputs, nameof(outputGradient));
        _stack.BackwardKept(outputGradient, batch, inputGradient);
    }

    /// <summary>
    /// Applies the accumulated gradients with the optimizer (clipping them first if asked) and clears them. Returns
    /// false, and changes no weight, when a gradient is not finite.
    /// </summary>
    public bool ApplyGradients()
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(ApplyGradients));
        ThrowIfDisposed();
        Settle();
        StepObserver?.BeforeStep(this);
        return _guard.Apply(_optimizer, StepFilter);
    }

    /// <summary>Clears the accumulated gradients.</summary>
    public void ZeroGradients()
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(ZeroGradients));
        Live.ZeroGradients();
    }

    /// <summary>Copies all weights and biases (layer by layer, W then b) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyParametersTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(CopyParametersTo));
        Live.Download(_arena.Parameters, destination, nameof(destination));
    }

    /// <summary>Replaces all weights and biases (same layout as <see cref="CopyParametersTo"/>).</summary>
    /// <param name="source">Exactly <see cref="ParameterCount"/> floats, all finite.</param>
    public void SetParameters(ReadOnlySpan<float> source)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(SetParameters));
        Live.Upload(source, nameof(source));
    }

    /// <summary>Copies the accumulated gradients (same layout as the parameters).</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyGradientsTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(CopyGradientsTo));
        Live.Download(_arena.Gradients, destination, nameof(destination));
    }

    /// <summary>Copies the weights of a brain of the same shape (e.g. into a DQN target network).</summary>
    /// <param name="source">A brain with the same layer widths.</param>
    public void CopyParametersFrom(Brain source)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(CopyParametersFrom));
        _arena.CopyFrom(SameShape(source)._arena, parameters: true, moments: false);
    }

    /// <summary>Polyak averaging: Θ ← Θ + τ(Θ_source − Θ). Both brains must share a backend (any two CPU backends do).</summary>
    /// <param name="source">A brain of the same shape on the same backend.</param>
    /// <param name="tau">τ in [0, 1].</param>
    public void BlendParametersFrom(Brain source, float tau)
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(BlendParametersFrom));
        SameShape(source);
        if (!_arena.SharesMemoryWith(source._arena)) throw new ArgumentException("Blending needs both brains on the same backend (or both on CPU backends).", nameof(source));
        _arena.BlendFrom(source._arena, tau);
    }

    /// <summary>A new brain with the same spec, weights, optimizer state, step count, name, user data and sections, on the same backend (CPU backends are private per brain).</summary>
    public Brain Clone()
    {
        using SingleThreadGuard.Scope scope = _threads.Enter(nameof(Clone));
        ThrowIfDisposed();
        Brain copy = _ownsBackend && _backend is IHostBackend host
            ? new Brain(Spec, 0, host.CreatePeer(), ownsBackend: true)
            : new Brain(Spec, 0, _backend, ownsBackend: false);
        copy.CopyStateFrom(this);
        copy._metadata.CopyFrom(_metadata);
        return copy;
    }

    /// <summary>Releases the arenas (and the backend when the brain created it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _arena.Dispose();
        _work.Dispose();
        if (_ownsBackend) _backend.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"Brain({Spec})";

    internal void CopyStateFrom(Brain source)
    {
        _arena.CopyFrom(SameShape(source)._arena, parameters: true, moments: true);
        Span<ulong> state = stackalloc ulong[SeededRandom.StateLength + 2];
        source.Random.GetState(state);
        Random.SetState(state);
        Steps = source.Steps;
        _optimizer = source._optimizer;
    }

    // Train on a device backend with one wait: the loss and the gradient norm come back together (the same values and
    // the same outcome as the two-wait path: a non-finite loss discards this step's gradients with the rest). Without a
    // filter or an observer (both need the norm on the host first) the step itself is queued before the wait, its
    // clipping scale decided on the device.
    private float TrainQueued(IQueuedScalarsBackend device, ScalarQueue queue, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        CheckTrainingBatch(inputs, targets, batch);
        _stack.QueueAccumulate(device, queue, Spec.Loss, inputs, targets, batch, _arena.Gradients.All);
        float loss;
        double squares;
        if (StepFilter is null && StepObserver is null)
        {
            _arena.QueueStep(device, queue, _optimizer, _guard.Steps + 1);
            device.ReadQueued(queue, out loss, out squares);
            _guard.Record(loss, squares);
            return loss;
        }
        device.ReadQueued(queue, out loss, out squares);
        if (!IsFinite(loss))
        {
            _guard.Reject();
            return loss;
        }
        StepObserver?.BeforeStep(this);
        _guard.Apply(_optimizer, StepFilter, squares);
        return loss;
    }

    private void CheckTrainingBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        ThrowIfDisposed();
        BrainChecks.CheckBatch(batch, MaxBatch);
        if (batch == 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A training batch needs at least one row.");
        BrainChecks.CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        BrainChecks.CheckRows(targets.Length, batch, Outputs, nameof(targets));
    }

    // The other brain of a copy or blend, checked: not null, not disposed, the same layer widths (and this one alive).
    private Brain SameShape(Brain source)
    {
        ThrowIfDisposed();
        if (source is null) throw new ArgumentNullException(nameof(source));
        source.ThrowIfDisposed();
        if (!Spec.HasSameShape(source.Spec)) throw new ArgumentException($"source has shape {source.Spec} but this brain has {Spec}.", nameof(source));
        return source;
    }

    private ParameterArena Live
    {
        get
        {
            ThrowIfDisposed();
            return _arena;
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(Brain));
    }

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);
}
