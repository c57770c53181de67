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
    private bool _disposed;

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
        _guard = new StepGuard(_arena, backend, _work.Scalars);
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
    /// <summary>The update rule; may be replaced between steps (e.g. a learning-rate schedule) by one of the same <see cref="OptimizerKind"/>, which keeps the moments.</summary>
    public Optimizer Optimizer { get => _optimizer; set => _optimizer = BrainChecks.CheckReplacement(_optimizer, value); }

    /// <summary>Optimizer steps taken (rejected steps not counted).</summary>
    public long Steps { get => _guard.Steps; internal set => _guard.Steps = value; }
    /// <summary>Steps rejected because the loss or a gradient was not finite; the weights stayed as they were.</summary>
    public long RejectedSteps => _guard.RejectedSteps;
    /// <summary>‖∇J‖₂ of the last gradient applied or rejected (before clipping).</summary>
    public float LastGradientNorm => _guard.LastGradientNorm;
    /// <summary>The mean loss of the last training step (<c>Train</c>, <see cref="TryTrain"/>, <see cref="TrainPipelined"/>); NaN before the first. Waits for a pipelined step still on the device.</summary>
    public float LastLoss => _guard.LastLoss;

    /// <summary>The brain's own generator: it drew the weights; saving a brain saves its state.</summary>
    public SeededRandom Random { get; }
    /// <summary>A name saved with the brain ("" by default); at most 1024 chars to be saved.</summary>
    public string Name { get => _metadata.Name; set => _metadata.Name = value ?? throw new ArgumentNullException(nameof(value)); }
    /// <summary>The user's string entries, saved with the brain (keys 1–256 chars, values up to 65,536, at most 4096 entries).</summary>
    public IDictionary<string, string> UserData => _metadata.UserData;
    /// <summary>
    /// Named float arrays saved with the brain, for state that belongs with it — e.g. a learner's observation-normaliser mean and variance. Values must
    /// be finite; names 1–256 chars; at most 1024 sections. The arrays are copied when saved and handed over as they are when loaded.
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

    /// <summary>Runs the network on <paramref name="batch"/> rows: outputs (batch, Outputs) from inputs (batch, Inputs), in chunks of <see cref="MaxBatch"/>. Allocates nothing.</summary>
    /// <param name="inputs">At least batch·Inputs values, row-major.</param>
    /// <param name="outputs">At least batch·Outputs values; the first batch·Outputs are written.</param>
    /// <param name="batch">Rows, at least 0.</param>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Predict));
        BrainChecks.CheckRows(Spec, inputs.Length, outputs.Length, batch, maxBatch: int.MaxValue, minBatch: 0, nameof(outputs));
        SingleThreadGuard.CheckDisjoint(inputs.Slice(0, batch * Inputs), outputs.Slice(0, batch * Outputs), nameof(inputs), nameof(outputs));
        _stack.Predict(inputs, outputs, batch);
    }

    /// <summary>
    /// One minibatch step: forward, loss, backward, optimizer update; returns the batch's mean loss before the update. A non-finite loss or
    /// gradient rejects the step (weights unchanged, <see cref="RejectedSteps"/> counts it; <see cref="TryTrain"/> says whether a step was kept). Allocates nothing.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs): one-hot rows (or probabilities) for classification.</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Train));
        BrainChecks.CheckRows(Spec, inputs.Length, targets.Length, batch, MaxBatch, minBatch: 1, nameof(targets));
        _guard.Settle();
        if (_guard.OnDevice(StepFilter, StepObserver))
        {
            _stack.QueueAccumulate((IQueuedScalarsBackend)_backend, _work.Scalars!, Spec.Loss, inputs, targets, batch, _arena.Gradients.All);
            return _guard.FinishQueued(_optimizer);
        }
        float loss = _stack.AccumulateForStep(Spec.Loss, inputs, targets, batch, _arena.Gradients.All, out double? squares);
        if (IsFinite(loss)) Step(squares);
        else _guard.Reject();
        return _guard.LastLoss = loss;
    }

    /// <summary>
    /// <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> that does not wait for its own loss: returns the previous training step's loss
    /// (NaN before the first); this step's is <see cref="LastLoss"/>. On a device backend (OpenCL) the whole step is queued, clipping and the finite check
    /// decided on the device, and the host waits only for the previous step's scalars. Counters include a step once read: reading them or
    /// <see cref="LastLoss"/>, or another training call, reads a pending step first. With a <see cref="StepFilter"/>, or on the CPU backend, the step runs
    /// as <c>Train</c> does. The weights and counters after a run of steps are those of the same run of <c>Train</c> calls. Allocates nothing.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    /// <returns>The previous training step's mean loss (NaN before the first).</returns>
    public float TrainPipelined(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(TrainPipelined));
        if (!_guard.OnDevice(StepFilter, StepObserver))
        {
            float previous = _guard.LastLoss;
            Train(inputs, targets, batch);
            return previous;
        }
        BrainChecks.CheckRows(Spec, inputs.Length, targets.Length, batch, MaxBatch, minBatch: 1, nameof(targets));
        _stack.QueueAccumulate((IQueuedScalarsBackend)_backend, _work.Scalars!, Spec.Loss, inputs, targets, batch, _arena.Gradients.All);
        return _guard.FinishPipelined(_optimizer);          // settles the previous step while this step's work is queued
    }

    /// <summary>
    /// Forward, loss and backward without a step: adds the gradient of the batch's mean loss to the accumulated gradients and returns that loss
    /// (a non-finite loss leaves them untouched). <see cref="ApplyGradients"/> takes the step.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(AccumulateGradients));
        _guard.Settle();
        BrainChecks.CheckRows(Spec, inputs.Length, targets.Length, batch, MaxBatch, minBatch: 1, nameof(targets));
        return _stack.Accumulate(Spec.Loss, inputs, targets, batch);
    }

    /// <summary>One minibatch step with class labels instead of one-hot targets (see <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>).</summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="labels">batch class indices in [0, Outputs) (0 or 1 for a single output).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Train));
        BrainChecks.CheckBatch(batch, MaxBatch);
        BrainChecks.CheckRows(labels.Length, batch, 1, nameof(labels));
        Metrics.FillOneHot(_work.HostTarget, labels.Slice(0, batch), Outputs, nameof(labels));
        return Train(inputs, _work.HostTarget.AsSpan(0, batch * Outputs), batch);
    }

    /// <summary>
    /// <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> that also guards the result: a non-finite loss or gradient is rejected as there,
    /// and a step that leaves a weight (or the sum of their squares) non-finite is rolled back — weights, moments and <see cref="Steps"/> return to the
    /// last good values and <see cref="RejectedSteps"/> counts it. Returns true when the step was kept. Allocates nothing after its first call.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    /// <param name="loss">Mean loss of the batch before the step (may be NaN or infinite when rejected).</param>
    public bool TryTrain(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, out float loss)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(TryTrain));
        BrainChecks.CheckRows(Spec, inputs.Length, targets.Length, batch, MaxBatch, minBatch: 1, nameof(targets));
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
        using SingleThreadGuard.Scope scope = Enter(nameof(Evaluate));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Evaluate needs at least one row.");
        BrainChecks.CheckRows(Spec, inputs.Length, targets.Length, count, int.MaxValue, minBatch: 1, nameof(targets));
        return _stack.Evaluate(Spec.Loss, inputs, targets, count);
    }

    /// <summary>Forward pass that keeps what <see cref="Backward"/> needs, for learners that compute their own output gradient; returns the outputs (batch, Outputs), valid until the next call on this brain.</summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> inputs, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Forward));
        BrainChecks.CheckBatch(batch, MaxBatch, min: 1);
        BrainChecks.CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        return _stack.ForwardKept(inputs, batch);
    }

    /// <summary>Backpropagates dL/d outputs of the last <see cref="Forward"/> (same batch), accumulating into the parameter gradients; scale it yourself (e.g. 1/batch for a mean).</summary>
    /// <param name="outputGradient">dL/dy (batch, Outputs).</param>
    /// <param name="batch">The batch of the preceding <see cref="Forward"/>.</param>
    public void Backward(ReadOnlySpan<float> outputGradient, int batch)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Backward));
        BackwardFrom(outputGradient, batch, default);
    }

    // Backward that also writes dL/d inputs (batch, Inputs), for learners that differentiate through a network's inputs (SAC's actor through
    // Q(s, a)). Its device buffer is allocated on the first call.
    internal void BackwardToInputs(ReadOnlySpan<float> outputGradient, int batch, Span<float> inputGradient)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(BackwardToInputs));
        BrainChecks.CheckRows(inputGradient.Length, batch, Inputs, nameof(inputGradient));
        BackwardFrom(outputGradient, batch, inputGradient);
    }

    private void BackwardFrom(ReadOnlySpan<float> outputGradient, int batch, Span<float> inputGradient)
    {
        if (_work.ForwardRows < 1 || !_work.InputKept) throw new InvalidOperationException("Backward needs a preceding Forward on this brain (Predict, Train and Evaluate overwrite its activations).");
        if (batch != _work.ForwardRows) throw new ArgumentException($"batch is {batch} but the preceding Forward ran {_work.ForwardRows} rows.", nameof(batch));
        BrainChecks.CheckRows(outputGradient.Length, batch, Outputs, nameof(outputGradient));
        _stack.BackwardKept(outputGradient, batch, inputGradient);
    }

    /// <summary>Applies the accumulated gradients with the optimizer (clipping them first if asked) and clears them; false, with no weight changed, when a gradient is not finite.</summary>
    public bool ApplyGradients()
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(ApplyGradients));
        return Step(reduced: null);
    }

    /// <summary>Clears the accumulated gradients.</summary>
    public void ZeroGradients()
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(ZeroGradients));
        _arena.ZeroGradients();
    }

    /// <summary>Copies all weights and biases (layer by layer, W then b) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyParametersTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(CopyParametersTo));
        _arena.Download(_arena.Parameters, destination, nameof(destination));
    }

    /// <summary>Replaces all weights and biases (same layout as <see cref="CopyParametersTo"/>).</summary>
    /// <param name="source">Exactly <see cref="ParameterCount"/> floats, all finite.</param>
    public void SetParameters(ReadOnlySpan<float> source)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(SetParameters));
        _arena.Upload(source, nameof(source));
    }

    /// <summary>Copies the accumulated gradients (same layout as the parameters).</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyGradientsTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(CopyGradientsTo));
        _arena.Download(_arena.Gradients, destination, nameof(destination));
    }

    /// <summary>Copies the weights of a brain of the same shape (e.g. into a DQN target network).</summary>
    /// <param name="source">A brain with the same layer widths.</param>
    public void CopyParametersFrom(Brain source)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(CopyParametersFrom));
        _arena.CopyFrom(BrainChecks.SameShape(this, source)._arena, parameters: true, moments: false);
    }

    /// <summary>Polyak averaging: Θ ← Θ + τ(Θ_source − Θ). Both brains must share a backend (any two CPU backends do).</summary>
    /// <param name="source">A brain of the same shape on the same backend.</param>
    /// <param name="tau">τ in [0, 1].</param>
    public void BlendParametersFrom(Brain source, float tau)
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(BlendParametersFrom));
        BrainChecks.SameShape(this, source);
        if (!_arena.SharesMemoryWith(source._arena)) throw new ArgumentException("Blending needs both brains on the same backend (or both on CPU backends).", nameof(source));
        _arena.BlendFrom(source._arena, tau);
    }

    /// <summary>A new brain with the same spec, weights, optimizer state, step count, name, user data and sections, on the same backend (CPU backends are private per brain).</summary>
    public Brain Clone()
    {
        using SingleThreadGuard.Scope scope = Enter(nameof(Clone));
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
        ThrowIfDisposed();
        _arena.CopyFrom(BrainChecks.SameShape(this, source)._arena, parameters: true, moments: true);
        Span<ulong> state = stackalloc ulong[SeededRandom.StateLength + 2];
        source.Random.GetState(state);
        Random.SetState(state);
        Steps = source.Steps;
        _optimizer = source._optimizer;
    }

    // One optimizer step (through the filter and the finite guard), with the observer's look at the gradients first.
    private bool Step(double? reduced)
    {
        StepObserver?.BeforeStep(this);
        return _guard.Apply(_optimizer, StepFilter, reduced);
    }

    // The single-thread scope of a public call, on a live brain.
    private SingleThreadGuard.Scope Enter(string method)
    {
        SingleThreadGuard.Scope scope = _threads.Enter(method);
        if (!_disposed) return scope;
        scope.Dispose();
        throw new ObjectDisposedException(nameof(Brain));
    }

    internal void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(Brain));
    }

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);
}
