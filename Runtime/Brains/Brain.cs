using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

/// <summary>Loss and accuracy of a brain on a data set.</summary>
/// <param name="Loss">Mean loss over rows.</param>
/// <param name="Accuracy">Share of rows classified correctly (1 − the 0-1 loss, see <see cref="Metrics"/>).</param>
public readonly record struct Evaluation(float Loss, float Accuracy);

/// <summary>
/// A multilayer perceptron with everything it needs to think and learn: layers, loss, optimizer,
/// one parameter arena, one gradient arena, one arena per optimizer moment, and a workspace sized once
/// for <see cref="MaxBatch"/>. <see cref="Predict"/> and <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>
/// allocate nothing. Not thread-safe: one thread at a time.
/// </summary>
public sealed partial class Brain : IDisposable
{
    private readonly SingleThreadGuard _guard = new("Brain", "A Brain is used by one thread at a time.");
    private readonly IBackend _backend;
    private readonly bool _ownsBackend;
    private readonly Dense[] _layers;
    private readonly DeviceBuffer _parameters, _gradients, _workspace;
    private readonly DeviceBuffer? _moment1, _moment2;
    private readonly BufferSlice _input, _target, _gradientA, _gradientB;
    private readonly BufferSlice[] _z, _y;
    private readonly float[] _hostOutput, _hostTarget;
    private Optimizer _optimizer;
    private int _forwardRows = -1;
    private bool _disposed;

    internal Brain(BrainSpec spec, ulong seed, IBackend backend, bool ownsBackend)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        _ownsBackend = ownsBackend;
        _optimizer = spec.Optimizer;
        Random = new SeededRandom(seed);
        int maxBatch = spec.MaxBatch, count = spec.Layers.Count;

        _layers = new Dense[count];
        int fanIn = spec.Inputs, maxWidth = 0;
        for (int i = 0; i < count; i++)
        {
            LayerSpec l = spec.Layers[i];
            _layers[i] = new Dense(fanIn, l.Outputs, l.Activation, l.Init);
            fanIn = l.Outputs;
            maxWidth = Math.Max(maxWidth, l.Outputs);
        }

        _parameters = backend.Allocate(spec.ParameterCount);
        _gradients = backend.Allocate(spec.ParameterCount);
        if (spec.Optimizer.MomentCount >= 1) _moment1 = backend.Allocate(spec.ParameterCount);
        if (spec.Optimizer.MomentCount >= 2) _moment2 = backend.Allocate(spec.ParameterCount);
        int offset = 0;
        foreach (Dense layer in _layers)
        {
            layer.Bind(_parameters.Slice(offset, layer.ParameterCount), _gradients.Slice(offset, layer.ParameterCount));
            offset += layer.ParameterCount;
        }

        // Workspace: input | per layer z (and y unless linear) | target | two gradient ping-pong buffers.
        int size = maxBatch * spec.Inputs + maxBatch * spec.Outputs + 2 * maxBatch * maxWidth;
        foreach (Dense layer in _layers) size += maxBatch * layer.Outputs * (layer.Activation.Kind == ActivationKind.Linear ? 1 : 2);
        _workspace = backend.Allocate(size);
        int at = 0;
        BufferSlice Take(int length)
        {
            BufferSlice s = _workspace.Slice(at, length);
            at += length;
            return s;
        }
        _input = Take(maxBatch * spec.Inputs);
        _z = new BufferSlice[count];
        _y = new BufferSlice[count];
        for (int i = 0; i < count; i++)
        {
            _z[i] = Take(maxBatch * _layers[i].Outputs);
            _y[i] = _layers[i].Activation.Kind == ActivationKind.Linear ? _z[i] : Take(maxBatch * _layers[i].Outputs);
        }
        _target = Take(maxBatch * spec.Outputs);
        _gradientA = Take(maxBatch * maxWidth);
        _gradientB = Take(maxBatch * maxWidth);
        _hostOutput = new float[maxBatch * spec.Outputs];
        _hostTarget = new float[maxBatch * spec.Outputs];

        float[] weights = new float[spec.ParameterCount];
        offset = 0;
        foreach (Dense layer in _layers)
        {
            WeightInit init = WeightInitializer.Resolve(layer.Init, layer.Activation);
            WeightInitializer.Fill(weights.AsSpan(offset, layer.Outputs * layer.Inputs), init, layer.Inputs, layer.Outputs, Random);
            offset += layer.ParameterCount;
        }
        backend.Upload(_parameters.All, weights);
        InitializeCpuPath();
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
    public IReadOnlyList<Dense> Layers => _layers;

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
    public long Steps { get; internal set; }

    /// <summary>Steps rejected because the loss or a gradient was not finite; the weights stayed as they were.</summary>
    public long RejectedSteps { get; private set; }

    /// <summary>‖∇J‖₂ of the last gradient applied or rejected (before clipping).</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>The brain's own generator: it drew the weights; saving a brain saves its state.</summary>
    public SeededRandom Random { get; }

    internal DeviceBuffer? Moment1Buffer => _moment1;

    internal DeviceBuffer? Moment2Buffer => _moment2;

    /// <summary>
    /// Runs the network on <paramref name="batch"/> rows: outputs (batch, Outputs) from inputs (batch, Inputs).
    /// Batches larger than <see cref="MaxBatch"/> are processed in chunks. Allocates nothing.
    /// </summary>
    /// <param name="inputs">At least batch·Inputs values, row-major.</param>
    /// <param name="outputs">At least batch·Outputs values; the first batch·Outputs are written.</param>
    /// <param name="batch">Rows, at least 0.</param>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Predict));
        ThrowIfDisposed();
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be non-negative.");
        CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        CheckRows(outputs.Length, batch, Outputs, nameof(outputs));
        SingleThreadGuard.CheckDisjoint(inputs.Slice(0, batch * Inputs), outputs.Slice(0, batch * Outputs), nameof(inputs), nameof(outputs));
        _forwardRows = -1;
        if (_cpu is not null)
        {
            PredictOnCpu(inputs, outputs, batch);
            return;
        }
        int last = _layers.Length - 1;
        for (int start = 0; start < batch; start += MaxBatch)
        {
            int rows = Math.Min(MaxBatch, batch - start);
            ForwardPass(inputs.Slice(start * Inputs, rows * Inputs), rows);
            _backend.Download(outputs.Slice(start * Outputs, rows * Outputs), _y[last].Take(rows * Outputs));
        }
    }

    /// <summary>
    /// One minibatch step: forward, loss, backward, optimizer update. Returns the mean loss of the batch
    /// before the update. A non-finite loss or gradient rejects the step (weights unchanged,
    /// <see cref="RejectedSteps"/> counts it). Allocates nothing.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs): one-hot rows (or probabilities) for classification.</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Train));
        float loss = AccumulateGradients(inputs, targets, batch);
        if (!IsFinite(loss))
        {
            Reject(float.NaN);
            return loss;
        }
        ApplyGradients();
        return loss;
    }

    /// <summary>
    /// Forward, loss and backward without a step: adds the gradient of the batch's mean loss to the
    /// accumulated gradients and returns that loss. <see cref="ApplyGradients"/> takes the step.
    /// (When the loss is not finite the gradients are left untouched.)
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="targets">(batch, Outputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float AccumulateGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(AccumulateGradients));
        ThrowIfDisposed();
        CheckBatch(batch, MaxBatch);
        if (batch == 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "A training batch needs at least one row.");
        CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        CheckRows(targets.Length, batch, Outputs, nameof(targets));
        if (_cpu is not null) return AccumulateOnCpu(inputs, targets, batch);
        ForwardPass(inputs.Slice(0, batch * Inputs), batch);
        _forwardRows = batch;
        int last = _layers.Length - 1, n = batch * Outputs;
        _backend.Upload(_target.Take(n), targets.Slice(0, n));
        float loss = _backend.LossForward(Spec.Loss, _y[last], _z[last], _target, batch, Outputs);
        if (!IsFinite(loss)) return loss;
        _backend.LossBackward(_gradientA, Spec.Loss, _y[last], _z[last], _target, batch, Outputs);
        BackwardPass(batch, Spec.Loss.IsFused);
        return loss;
    }

    /// <summary>One minibatch step with class labels instead of one-hot targets (see <see cref="Train(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>).</summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="labels">batch class indices in [0, Outputs) (0 or 1 for a single output).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public float Train(ReadOnlySpan<float> inputs, ReadOnlySpan<int> labels, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Train));
        ThrowIfDisposed();
        CheckBatch(batch, MaxBatch);
        CheckRows(labels.Length, batch, 1, nameof(labels));
        FillOneHot(_hostTarget, labels.Slice(0, batch));
        return Train(inputs, _hostTarget.AsSpan(0, batch * Outputs), batch);
    }

    /// <summary>
    /// Mean loss and accuracy over <paramref name="count"/> rows, in chunks of <see cref="MaxBatch"/>. Changes nothing.
    /// </summary>
    /// <param name="inputs">(count, Inputs).</param>
    /// <param name="targets">(count, Outputs).</param>
    /// <param name="count">Rows, at least 1.</param>
    public Evaluation Evaluate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int count)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Evaluate));
        ThrowIfDisposed();
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Evaluate needs at least one row.");
        CheckRows(inputs.Length, count, Inputs, nameof(inputs));
        CheckRows(targets.Length, count, Outputs, nameof(targets));
        int last = _layers.Length - 1, wrong = 0;
        double lossSum = 0;
        for (int start = 0; start < count; start += MaxBatch)
        {
            int rows = Math.Min(MaxBatch, count - start), n = rows * Outputs;
            ReadOnlySpan<float> t = targets.Slice(start * Outputs, n);
            ForwardPass(inputs.Slice(start * Inputs, rows * Inputs), rows);
            _backend.Upload(_target.Take(n), t);
            lossSum += (double)_backend.LossForward(Spec.Loss, _y[last], _z[last], _target, rows, Outputs) * rows;
            _backend.Download(_hostOutput.AsSpan(0, n), _y[last].Take(n));
            wrong += Metrics.CountMisclassified(_hostOutput, t, rows, Outputs);
        }
        _forwardRows = -1;
        return new Evaluation((float)(lossSum / count), 1f - (float)wrong / count);
    }

    /// <summary>
    /// Forward pass that keeps what <see cref="Backward"/> needs, for learners that compute their own
    /// output gradient. Returns the outputs (batch, Outputs); the span is valid until the next call on this brain.
    /// </summary>
    /// <param name="inputs">(batch, Inputs).</param>
    /// <param name="batch">Rows, 1 to <see cref="MaxBatch"/>.</param>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> inputs, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Forward));
        ThrowIfDisposed();
        CheckBatch(batch, MaxBatch);
        if (batch == 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "Forward needs at least one row.");
        CheckRows(inputs.Length, batch, Inputs, nameof(inputs));
        ForwardPass(inputs.Slice(0, batch * Inputs), batch);
        _forwardRows = batch;
        int n = batch * Outputs;
        BufferSlice output = _y[_layers.Length - 1].Take(n);
        if (_backend is CpuBackend) return CpuBackend.Span(output);
        _backend.Download(_hostOutput.AsSpan(0, n), output);
        return _hostOutput.AsSpan(0, n);
    }

    /// <summary>
    /// Backpropagates a gradient with respect to the outputs of the last <see cref="Forward"/> (same batch)
    /// and accumulates into the parameter gradients. Scale it yourself (e.g. 1/batch for a mean).
    /// </summary>
    /// <param name="outputGradient">dL/dy (batch, Outputs).</param>
    /// <param name="batch">The batch of the preceding <see cref="Forward"/>.</param>
    public void Backward(ReadOnlySpan<float> outputGradient, int batch)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Backward));
        ThrowIfDisposed();
        if (_forwardRows < 1 || !_inputInWorkspace) throw new InvalidOperationException("Backward needs a preceding Forward on this brain (Predict and Evaluate overwrite its activations).");
        if (batch != _forwardRows) throw new ArgumentException($"batch is {batch} but the preceding Forward ran {_forwardRows} rows.", nameof(batch));
        CheckRows(outputGradient.Length, batch, Outputs, nameof(outputGradient));
        int n = batch * Outputs;
        _backend.Upload(_gradientA.Take(n), outputGradient.Slice(0, n));
        BackwardPass(batch, gradientIsPreActivation: false);
    }

    /// <summary>
    /// Applies the accumulated gradients with the optimizer (clipping them first if asked) and clears
    /// them. Returns false, and changes no weight, when a gradient is not finite.
    /// </summary>
    public bool ApplyGradients()
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(ApplyGradients));
        ThrowIfDisposed();
        CaptureHealth();
        double squares = ArenaSquares(_gradients);
        if (!IsFinite(squares))
        {
            Reject(float.NaN);
            return false;
        }
        float norm = (float)Math.Sqrt(squares), scale = 1f;
        LastGradientNorm = norm;
        if (StepFilter is { } filter && !((scale = filter.Review(norm)) > 0f)) return RejectByFilter(norm);
        float max = _optimizer.MaxGradientNorm;
        if (max > 0f && norm * scale > max) scale = max / norm;
        Steps++;
        BufferSlice m1 = _moment1?.All ?? default, m2 = _moment2?.All ?? default;
        StepOptimizer(m1, m2, scale);
        return true;
    }

    /// <summary>Clears the accumulated gradients.</summary>
    public void ZeroGradients()
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(ZeroGradients));
        ThrowIfDisposed();
        _backend.Fill(_gradients.All, 0f);
    }

    /// <summary>Copies all weights and biases (layer by layer, W then b) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyParametersTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(CopyParametersTo));
        ThrowIfDisposed();
        CheckExact(destination.Length, ParameterCount, nameof(destination));
        _backend.Download(destination, _parameters.All);
    }

    /// <summary>Replaces all weights and biases (same layout as <see cref="CopyParametersTo"/>).</summary>
    /// <param name="source">Exactly <see cref="ParameterCount"/> floats, all finite.</param>
    public void SetParameters(ReadOnlySpan<float> source)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(SetParameters));
        ThrowIfDisposed();
        CheckExact(source.Length, ParameterCount, nameof(source));
        if (!Realtime.Columns.AllFinite(source)) throw new ArgumentException("The parameters hold a NaN or an infinity; a brain holds only finite numbers.", nameof(source));
        _backend.Upload(_parameters.All, source);
    }

    /// <summary>Copies the accumulated gradients (same layout as the parameters).</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyGradientsTo(Span<float> destination)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(CopyGradientsTo));
        ThrowIfDisposed();
        CheckExact(destination.Length, ParameterCount, nameof(destination));
        _backend.Download(destination, _gradients.All);
    }

    /// <summary>Copies the weights of a brain of the same shape (e.g. into a DQN target network).</summary>
    /// <param name="source">A brain with the same layer widths.</param>
    public void CopyParametersFrom(Brain source)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(CopyParametersFrom));
        ThrowIfDisposed();
        CheckSameShape(source);
        if (SharesMemoryWith(source._backend)) _backend.Copy(_parameters.All, source._parameters.All);
        else
        {
            float[] host = new float[ParameterCount];
            source.CopyParametersTo(host);
            SetParameters(host);
        }
    }

    /// <summary>Polyak averaging: Θ ← Θ + τ(Θ_source − Θ). Both brains must share a backend (any two CPU backends do).</summary>
    /// <param name="source">A brain of the same shape on the same backend.</param>
    /// <param name="tau">τ in [0, 1].</param>
    public void BlendParametersFrom(Brain source, float tau)
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(BlendParametersFrom));
        ThrowIfDisposed();
        CheckSameShape(source);
        if (!SharesMemoryWith(source._backend)) throw new ArgumentException("Blending needs both brains on the same backend (or both on CPU backends).", nameof(source));
        _backend.Lerp(_parameters.All, source._parameters.All, tau);
    }

    /// <summary>A new brain with the same spec, weights, optimizer state, step count, name, user data and sections, on the same backend (CPU backends are private per brain).</summary>
    public Brain Clone()
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Clone));
        ThrowIfDisposed();
        Brain copy = _ownsBackend && _backend is CpuBackend cpu
            ? new Brain(Spec, 0, new CpuBackend(cpu.Threads), ownsBackend: true)
            : new Brain(Spec, 0, _backend, ownsBackend: false);
        copy.CopyStateFrom(this);
        copy.CopyMetadataFrom(this);
        return copy;
    }

    /// <summary>Releases the arenas (and the backend when the brain created it).</summary>
    public void Dispose()
    {
        using SingleThreadGuard.Scope scope = _guard.Enter(nameof(Dispose));
        if (_disposed) return;
        _disposed = true;
        _parameters.Dispose();
        _gradients.Dispose();
        _moment1?.Dispose();
        _moment2?.Dispose();
        _workspace.Dispose();
        DisposeRealtime();
        if (_ownsBackend) _backend.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"Brain({Spec})";

    internal void CopyStateFrom(Brain source)
    {
        CopyParametersFrom(source);
        Span<ulong> state = stackalloc ulong[SeededRandom.StateLength + 2];
        source.Random.GetState(state);
        Random.SetState(state);
        Steps = source.Steps;
        _optimizer = source._optimizer;
        CopyMoment(_moment1, source._moment1, source._backend);
        CopyMoment(_moment2, source._moment2, source._backend);
    }

    private void CopyMoment(DeviceBuffer? destination, DeviceBuffer? source, IBackend sourceBackend)
    {
        if (destination is null || source is null) return;
        if (SharesMemoryWith(sourceBackend))
        {
            _backend.Copy(destination.All, source.All);
            return;
        }
        float[] host = new float[source.Length];
        sourceBackend.Download(host, source.All);
        _backend.Upload(destination.All, host);
    }

    private void ForwardPass(ReadOnlySpan<float> inputs, int rows)
    {
        _backend.Upload(_input.Take(rows * Inputs), inputs);
        _inputInWorkspace = true;
        BufferSlice x = _input;
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i].Forward(_backend, _y[i], _z[i], x, rows);
            x = _y[i];
        }
    }

    // dY of the last layer is in _gradientA; each layer writes dX for the one before into the other buffer.
    private void BackwardPass(int rows, bool gradientIsPreActivation)
    {
        BufferSlice dY = _gradientA, spare = _gradientB;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            BufferSlice x = i == 0 ? _input : _y[i - 1];
            BufferSlice dX = i == 0 ? default : spare;
            _layers[i].Backward(_backend, dX, dY, _z[i], _y[i], x, rows, gradientIsPreActivation && i == _layers.Length - 1);
            (dY, spare) = (spare, dY);
        }
    }

    private void Reject(float norm)
    {
        LastGradientNorm = norm;
        RejectedSteps++;
        _backend.Fill(_gradients.All, 0f);
    }

    private void FillOneHot(Span<float> destination, ReadOnlySpan<int> labels)
    {
        int k = Outputs;
        destination.Slice(0, labels.Length * k).Clear();
        for (int r = 0; r < labels.Length; r++)
        {
            int label = labels[r];
            if (k == 1)
            {
                if (label is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label at row {r} must be 0 or 1 for a single-output brain.");
                destination[r] = label;
            }
            else
            {
                if ((uint)label >= (uint)k) throw new ArgumentOutOfRangeException(nameof(labels), label, $"Label at row {r} must lie in [0, {k}).");
                destination[r * k + label] = 1f;
            }
        }
    }

    // CPU buffers are plain host arrays, so any two CPU backends can copy between each other's buffers.
    private bool SharesMemoryWith(IBackend other) => ReferenceEquals(other, _backend) || (other is CpuBackend && _backend is CpuBackend);

    private void CheckSameShape(Brain source)
    {
        if (source is null) throw new ArgumentNullException(nameof(source));
        source.ThrowIfDisposed();
        if (!Spec.HasSameShape(source.Spec)) throw new ArgumentException($"source has shape {source.Spec} but this brain has {Spec}.", nameof(source));
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(Brain));
    }

    private static void CheckBatch(int batch, int max)
    {
        if (batch < 0 || batch > max) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must lie in [0, {max}] (the brain's MaxBatch).");
    }

    private static void CheckRows(int length, int rows, int width, string name)
    {
        long need = (long)rows * width;
        if (length < need) throw new ArgumentException($"{name} holds {length} values but batch*width = {rows}*{width} = {need} are needed.", name);
    }

    private static void CheckExact(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"{name} holds {length} values but the brain has {expected} parameters.", name);
    }

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);
}
