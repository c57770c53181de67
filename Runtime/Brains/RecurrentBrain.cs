using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

/// <summary>
/// A brain with memory: one recurrent layer (<see cref="Gru"/> or <see cref="ElmanRnn"/>) followed by dense layers.
/// Built with <c>Brain.Create(inputs).Gru(units)…</c>. The hidden state of each agent lives in a buffer the caller
/// owns (one row of <see cref="StateWidth"/> floats per agent), so a tick's thinking for all agents is one
/// <see cref="Think"/> call that allocates nothing, and an agent's memory is cleared with <see cref="ResetState"/>
/// at its episode end. Training runs on stored sequences with (truncated) backpropagation through time.
/// </summary>
/// <remarks>
/// Sequence buffers are time-major: inputs (T, B, In), targets (T, B, Out). Dense-only <see cref="Brain"/>s are untouched
/// by this type. Same seed ⇒ bitwise identical results on the CPU backend.
/// </remarks>
public sealed class RecurrentBrain : IDisposable
{
    private readonly IBackend _backend;
    private readonly bool _ownsBackend;
    private readonly Dense[] _head;
    private readonly DeviceBuffer _parameters, _gradients, _moment1, _moment2;
    private readonly DeviceBuffer _x, _states, _dStates, _cache, _scratch, _targets, _gradientA, _gradientB, _statesIn;
    private readonly DeviceBuffer[] _z, _y;
    private readonly float[] _hostOutputs;
    private readonly bool[] _starts;
    private Optimizer _optimizer;
    private int _sequenceBatch, _sequenceSteps;
    private TruncatedBptt _sequenceTruncation;
    private bool _sequenceReady, _sequenceHasStarts;
    private readonly LayerSpec[] _layers;
    private readonly BrainMetadata _metadata = new();
    private long _step;
    private bool _disposed;

    internal RecurrentBrain(int inputs, RecurrentKind kind, int hidden, float recurrentScale, IReadOnlyList<LayerSpec> layers, Loss loss,
        Optimizer optimizer, int maxAgents, int maxSteps, ulong seed, IBackend backend, bool ownsBackend)
    {
        _backend = backend;
        _ownsBackend = ownsBackend;
        Core = kind == RecurrentKind.Gru ? new Gru(inputs, hidden) : new ElmanRnn(inputs, hidden, recurrentScale);
        Kind = kind;
        Loss = loss;
        _optimizer = optimizer;
        MaxAgents = maxAgents;
        MaxSteps = maxSteps;
        _layers = new LayerSpec[layers.Count];
        for (int i = 0; i < layers.Count; i++) _layers[i] = layers[i];
        _head = new Dense[layers.Count];
        int fanIn = hidden, count = Core.ParameterCount, widest = hidden;
        for (int i = 0; i < layers.Count; i++)
        {
            _head[i] = new Dense(fanIn, layers[i].Outputs, layers[i].Activation, layers[i].Init);
            count += _head[i].ParameterCount;
            fanIn = layers[i].Outputs;
            widest = Math.Max(widest, fanIn);
        }
        ParameterCount = count;
        _parameters = backend.Allocate(count);
        _gradients = backend.Allocate(count);
        _moment1 = backend.Allocate(optimizer.MomentCount >= 1 ? count : 0);
        _moment2 = backend.Allocate(optimizer.MomentCount >= 2 ? count : 0);

        float[] initial = new float[count];
        var random = new SeededRandom(seed);
        Core.Initialize(initial.AsSpan(0, Core.ParameterCount), random);
        Core.Bind(_parameters.Slice(0, Core.ParameterCount), _gradients.Slice(0, Core.ParameterCount));
        int offset = Core.ParameterCount;
        foreach (Dense dense in _head)
        {
            dense.Initialize(initial.AsSpan(offset, dense.ParameterCount), random);
            dense.Bind(_parameters.Slice(offset, dense.ParameterCount), _gradients.Slice(offset, dense.ParameterCount));
            offset += dense.ParameterCount;
        }
        backend.Upload(_parameters.All, initial);

        int rows = maxAgents * maxSteps;
        _x = backend.Allocate(rows * inputs);
        _states = backend.Allocate((maxSteps + 1) * maxAgents * hidden);
        _dStates = backend.Allocate((maxSteps + 1) * maxAgents * hidden);
        _cache = backend.Allocate(rows * Core.CacheWidth);
        _scratch = backend.Allocate(maxAgents * (Core.ScratchWidth + hidden));
        _targets = backend.Allocate(rows * Outputs);
        _gradientA = backend.Allocate(rows * widest);
        _gradientB = backend.Allocate(rows * widest);
        _z = new DeviceBuffer[_head.Length];
        _y = new DeviceBuffer[_head.Length];
        for (int i = 0; i < _head.Length; i++)
        {
            _z[i] = backend.Allocate(rows * _head[i].Outputs);
            _y[i] = _head[i].OutputIsPreActivation ? _z[i] : backend.Allocate(rows * _head[i].Outputs);
        }
        _statesIn = backend.Allocate(rows * hidden);
        _hostOutputs = new float[rows * Outputs];
        _starts = new bool[rows];
    }

    /// <summary>In: values per agent observation.</summary>
    public int Inputs => Core.Inputs;

    /// <summary>Out: values per agent output.</summary>
    public int Outputs => _head[_head.Length - 1].Outputs;

    /// <summary>Floats of hidden state per agent: the width of a row of the caller's state buffer.</summary>
    public int StateWidth => Core.Hidden;

    /// <summary>Which cell the brain starts with.</summary>
    public RecurrentKind Kind { get; }

    /// <summary>The recurrent layer.</summary>
    public RecurrentLayer Core { get; }

    /// <summary>The dense layers after it.</summary>
    public IReadOnlyList<Dense> Head => _head;

    /// <summary>The training loss.</summary>
    public Loss Loss { get; }

    /// <summary>
    /// The update rule. It may be replaced by one of the same <see cref="OptimizerKind"/> (a learning-rate schedule),
    /// which keeps the moments.
    /// </summary>
    public Optimizer Optimizer
    {
        get => _optimizer;
        set => _optimizer = BrainChecks.CheckReplacement(_optimizer, value);
    }

    /// <summary>Most agents per call.</summary>
    public int MaxAgents { get; }

    /// <summary>Longest training sequence.</summary>
    public int MaxSteps { get; }

    /// <summary>Trainable floats.</summary>
    public int ParameterCount { get; }

    /// <summary>Optimizer steps taken.</summary>
    public long Steps => _step;

    /// <summary>A name saved with the brain ("" by default); at most 1024 chars to be saved.</summary>
    public string Name
    {
        get => _metadata.Name;
        set => _metadata.Name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The user's string entries, saved with the brain (keys 1–256 chars, values up to 65,536, at most 4096 entries).</summary>
    public IDictionary<string, string> UserData => _metadata.UserData;

    /// <summary>Named float arrays saved with the brain (e.g. an observation normaliser); as <see cref="Brain.Sections"/>.</summary>
    public IDictionary<string, float[]> Sections => _metadata.Sections;

    // ---- for brain files (Serialization/RecurrentSnapshot.cs) ----

    internal BrainMetadata Metadata => _metadata;

    internal IBackend Backend => _backend;

    internal IReadOnlyList<LayerSpec> HeadSpecs => _layers;

    internal float RecurrentScale => Core is ElmanRnn rnn ? rnn.RecurrentScale : 1f;

    internal DeviceBuffer? Moment1 => Optimizer.MomentCount >= 1 ? _moment1 : null;

    internal DeviceBuffer? Moment2 => Optimizer.MomentCount >= 2 ? _moment2 : null;

    internal void RestoreSteps(long steps) => _step = steps;

    /// <summary>Floats of the training and thinking buffers a brain of this shape allocates (everything but θ, gradients and moments).</summary>
    internal static long WorkspaceFloats(int inputs, RecurrentKind kind, int hidden, IReadOnlyList<LayerSpec> layers, int maxAgents, int maxSteps)
    {
        long rows = (long)maxAgents * maxSteps, cacheWidth = kind == RecurrentKind.Gru ? 6L * hidden : hidden;
        long scratchWidth = kind == RecurrentKind.Gru ? 6L * hidden : 0;
        long widest = hidden, heads = 0;
        foreach (LayerSpec l in layers)
        {
            widest = Math.Max(widest, l.Outputs);
            heads += 2L * l.Outputs;   // z and y (y may share z's buffer)
        }
        int outputs = layers[layers.Count - 1].Outputs;
        return rows * inputs + 2L * (maxSteps + 1L) * maxAgents * hidden + rows * cacheWidth + maxAgents * (scratchWidth + hidden)
            + rows * outputs + 2L * rows * widest + rows * heads + rows * hidden;   // the last: the masked states of episode starts
    }

    /// <summary>
    /// One tick for a group of agents: reads each agent's observation and hidden state, writes its outputs and
    /// replaces its hidden state with the new one. One call for any number of agents (split internally into blocks
    /// of <see cref="MaxAgents"/>); allocates nothing.
    /// </summary>
    /// <param name="inputs">(agents, In).</param>
    /// <param name="state">(agents, StateWidth), the caller's state buffer, updated in place.</param>
    /// <param name="outputs">(agents, Out).</param>
    /// <param name="agents">Number of agents.</param>
    public void Think(ReadOnlySpan<float> inputs, Span<float> state, Span<float> outputs, int agents)
    {
        ThrowIfDisposed();
        _sequenceReady = false;                                                     // the step buffers are overwritten
        if (agents < 0) throw new ArgumentOutOfRangeException(nameof(agents), agents, "agents must be non-negative.");
        int h = StateWidth, input = Inputs, output = Outputs;
        if (inputs.Length < (long)agents * input) throw new ArgumentException($"inputs holds {inputs.Length} floats but {agents} agents × {input} inputs = {(long)agents * input} are needed.", nameof(inputs));
        if (state.Length < (long)agents * h) throw new ArgumentException($"state holds {state.Length} floats but {agents} agents × {h} state = {(long)agents * h} are needed.", nameof(state));
        if (outputs.Length < (long)agents * output) throw new ArgumentException($"outputs holds {outputs.Length} floats but {agents} agents × {output} outputs = {(long)agents * output} are needed.", nameof(outputs));
        for (int first = 0; first < agents; first += MaxAgents)
        {
            int n = Math.Min(MaxAgents, agents - first);
            BufferSlice x = _x.Slice(0, n * input), s = _states.Slice(0, n * h);
            _backend.Upload(x, inputs.Slice(first * input, n * input));
            _backend.Upload(s, state.Slice(first * h, n * h));
            Core.Step(_backend, s, s, x, _cache.Slice(0, n * Core.CacheWidth), _scratch.Slice(0, n * Core.ScratchWidth), n);   // h ← cell(h, x), in place
            BufferSlice y = HeadForward(s, 0, n);
            _backend.Download(outputs.Slice(first * output, n * output), y);
            _backend.Download(state.Slice(first * h, n * h), s);
        }
    }

    /// <summary>Clears one agent's hidden state (its episode ended): the next <see cref="Think"/> starts it from zeros.</summary>
    /// <param name="state">The caller's state buffer (agents, StateWidth).</param>
    /// <param name="agent">The agent's row.</param>
    public void ResetState(Span<float> state, int agent)
    {
        if (agent < 0 || (long)(agent + 1) * StateWidth > state.Length) throw new ArgumentOutOfRangeException(nameof(agent), agent, $"state holds {state.Length / StateWidth} agents of {StateWidth} floats.");
        state.Slice(agent * StateWidth, StateWidth).Clear();
    }

    /// <summary>
    /// One optimizer step on a batch of stored sequences: the forward pass from each sequence's initial state, the
    /// mean loss of every output after the burn-in against its target, backpropagation through time truncated by
    /// <paramref name="truncation"/>, then the update (with the optimizer's gradient clipping). Returns the loss.
    /// </summary>
    /// <param name="inputs">(steps, batch, In), time-major.</param>
    /// <param name="targets">(steps, batch, Out), time-major; rows of burn-in steps are ignored.</param>
    /// <param name="initialState">(batch, StateWidth), or empty for zeros.</param>
    /// <param name="batch">Sequences, at most <see cref="MaxAgents"/>.</param>
    /// <param name="steps">Steps per sequence, at most <see cref="MaxSteps"/> and more than the burn-in.</param>
    /// <param name="truncation">Window and burn-in.</param>
    public float TrainSequence(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialState, int batch, int steps,
        TruncatedBptt truncation) =>
        TrainSequence(inputs, targets, initialState, batch, steps, truncation, steps - truncation.BurnIn, default);

    /// <summary>
    /// <see cref="TrainSequence(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, TruncatedBptt)"/>
    /// with the loss on the last <paramref name="lossSteps"/> steps only (1: a sequence-to-one task, such as recalling
    /// something at the end of a sequence) and the gradient health of the step: ‖dL/dh_t‖₂ per step into
    /// <paramref name="stateGradientNorms"/> and ‖dL/dθ‖₂ in <see cref="LastGradientNorm"/>. Allocates nothing.
    /// </summary>
    /// <param name="inputs">(steps, batch, In), time-major.</param>
    /// <param name="targets">(steps, batch, Out), time-major; only the rows of the last <paramref name="lossSteps"/> steps are read.</param>
    /// <param name="initialState">(batch, StateWidth), or empty for zeros.</param>
    /// <param name="batch">Sequences, at most <see cref="MaxAgents"/>.</param>
    /// <param name="steps">Steps per sequence, at most <see cref="MaxSteps"/> and more than the burn-in.</param>
    /// <param name="truncation">Window and burn-in.</param>
    /// <param name="lossSteps">Steps at the end that carry the loss, from 1 to steps − burn-in.</param>
    /// <param name="stateGradientNorms">Empty, or <paramref name="steps"/> values (see <see cref="RecurrentLayer.BackwardSequence"/>).</param>
    public float TrainSequence(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialState, int batch, int steps,
        TruncatedBptt truncation, int lossSteps, Span<double> stateGradientNorms)
    {
        float loss = Accumulate(inputs, targets, initialState, batch, steps, truncation, lossSteps, stateGradientNorms);
        ApplyGradients();
        return loss;
    }

    /// <summary>
    /// One optimizer step with the accumulated gradients (scaled down to the optimizer's gradient-norm limit, if it has
    /// one), which it clears; ‖dL/dθ‖₂ before clipping goes to <see cref="LastGradientNorm"/>. Use after
    /// <see cref="BackwardSequence"/> or <see cref="AccumulateSequence"/>. A gradient whose norm is not finite is
    /// cleared without a step (the weights stay as they were) and false is returned.
    /// </summary>
    public bool ApplyGradients()
    {
        ThrowIfDisposed();
        float norm = (float)Math.Sqrt(_backend.SumOfSquares(_gradients.All));
        LastGradientNorm = norm;
        if (float.IsNaN(norm) || float.IsInfinity(norm))
        {
            _backend.Fill(_gradients.All, 0f);
            return false;
        }
        float scale = 1f, max = Optimizer.MaxGradientNorm;
        if (max > 0f && norm > max) scale = max / norm;
        _step++;
        _backend.OptimizerStep(Optimizer, _parameters.All, _gradients.All, _moment1.All, _moment2.All, _step, scale);
        return true;
    }

    /// <summary>
    /// The forward half of training on stored sequences for an objective the caller differentiates (a policy
    /// gradient): runs each sequence from its initial state, clearing the state of a row where its episode starts
    /// within the sequence, and returns the outputs of the steps after the burn-in. Follow with
    /// <see cref="BackwardSequence"/>. The returned span is valid until the next call; allocates nothing.
    /// </summary>
    /// <param name="inputs">(steps, batch, In), time-major.</param>
    /// <param name="initialState">(batch, StateWidth), the state entering step 0, or empty for zeros.</param>
    /// <param name="episodeStarts">(steps, batch), true where that row's episode starts at that step (the state entering it is zeros); empty for none.</param>
    /// <param name="batch">Sequences, at most <see cref="MaxAgents"/>.</param>
    /// <param name="steps">Steps per sequence, at most <see cref="MaxSteps"/> and more than the burn-in.</param>
    /// <param name="truncation">Window and burn-in (the burn-in steps produce no outputs).</param>
    /// <returns>(steps − burnIn, batch, Out), time-major.</returns>
    public ReadOnlySpan<float> ForwardSequence(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initialState, ReadOnlySpan<bool> episodeStarts, int batch, int steps,
        TruncatedBptt truncation)
    {
        ThrowIfDisposed();
        if (batch < 1 || batch > MaxAgents) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must lie in [1, {MaxAgents}].");
        if (steps < 1 || steps > MaxSteps) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must lie in [1, {MaxSteps}].");
        if (truncation.BurnIn >= steps) throw new ArgumentException($"The burn-in ({truncation.BurnIn}) must be shorter than the sequence ({steps}).", nameof(truncation));
        int h = StateWidth, rows = steps * batch;
        if (inputs.Length != rows * Inputs) throw new ArgumentException($"inputs holds {inputs.Length} floats but steps × batch × In = {rows * Inputs}.", nameof(inputs));
        if (!initialState.IsEmpty && initialState.Length != batch * h) throw new ArgumentException($"initialState holds {initialState.Length} floats but batch × StateWidth = {batch * h}.", nameof(initialState));
        if (!episodeStarts.IsEmpty && episodeStarts.Length != rows) throw new ArgumentException($"episodeStarts holds {episodeStarts.Length} values but steps × batch = {rows}.", nameof(episodeStarts));

        BufferSlice x = _x.Slice(0, rows * Inputs), states = _states.Slice(0, (steps + 1) * batch * h);
        BufferSlice cache = _cache.Slice(0, rows * Core.CacheWidth), work = _scratch.Slice(0, batch * Core.ScratchWidth);
        _backend.Upload(x, inputs);
        if (initialState.IsEmpty) _backend.Fill(states.Slice(0, batch * h), 0f);
        else _backend.Upload(states.Slice(0, batch * h), initialState);
        _sequenceHasStarts = false;
        if (episodeStarts.IsEmpty) _starts.AsSpan(0, rows).Clear();
        else episodeStarts.CopyTo(_starts);
        int layer = batch * h, input = batch * Inputs, cached = batch * Core.CacheWidth;
        for (int t = 0; t < steps; t++)
        {
            BufferSlice hPrev = states.Slice(t * layer, layer);
            if (AnyStart(t, batch))
            {
                _sequenceHasStarts = true;
                BufferSlice masked = _statesIn.Slice(t * layer, layer);                  // h_t with the starting rows cleared
                _backend.Copy(masked, hPrev);
                for (int b = 0; b < batch; b++) if (_starts[t * batch + b]) _backend.Fill(masked.Slice(b * h, h), 0f);
                hPrev = masked;
            }
            Core.Step(_backend, states.Slice((t + 1) * layer, layer), hPrev, x.Slice(t * input, input), cache.Slice(t * cached, cached), work, batch);
        }
        int first = truncation.BurnIn * batch, trained = rows - first;
        BufferSlice outputs = HeadForward(states.Slice(layer, rows * h), first, trained);
        _backend.Download(_hostOutputs.AsSpan(0, trained * Outputs), outputs);
        _sequenceBatch = batch;
        _sequenceSteps = steps;
        _sequenceTruncation = truncation;
        _sequenceReady = true;
        return _hostOutputs.AsSpan(0, trained * Outputs);
    }

    /// <summary>
    /// The backward half for the last <see cref="ForwardSequence"/>: takes dL/d outputs and adds the gradients of the
    /// parameters (through the dense head and back through time, truncated as that call asked; no gradient crosses an
    /// episode start) to the accumulated gradients. Allocates nothing.
    /// </summary>
    /// <param name="dOutputs">(steps − burnIn, batch, Out), time-major.</param>
    public void BackwardSequence(ReadOnlySpan<float> dOutputs)
    {
        ThrowIfDisposed();
        if (!_sequenceReady) throw new InvalidOperationException("BackwardSequence follows a ForwardSequence.");
        int batch = _sequenceBatch, steps = _sequenceSteps, burnIn = _sequenceTruncation.BurnIn, window = _sequenceTruncation.Window;
        int h = StateWidth, rows = steps * batch, first = burnIn * batch, trained = rows - first, layer = batch * h;
        if (dOutputs.Length != trained * Outputs) throw new ArgumentException($"dOutputs holds {dOutputs.Length} floats but (steps − burnIn) × batch × Out = {trained * Outputs}.", nameof(dOutputs));
        _sequenceReady = false;
        BufferSlice x = _x.Slice(0, rows * Inputs), states = _states.Slice(0, (steps + 1) * layer), dStates = _dStates.Slice(0, (steps + 1) * layer);
        BufferSlice cache = _cache.Slice(0, rows * Core.CacheWidth), work = _scratch.Slice(0, batch * Core.ScratchWidth), cut = _scratch.Slice(batch * Core.ScratchWidth, layer);
        _backend.Upload(_gradientA.Slice(0, trained * Outputs), dOutputs);
        HeadBackward(states.Slice(layer, rows * h), dStates.Slice((1 + burnIn) * layer, trained * h), first, trained, fused: false);   // dL/dh_t from the outputs
        int input = batch * Inputs, cached = batch * Core.CacheWidth;
        for (int t = steps - 1; t >= burnIn; t--)
        {
            bool cutHere = t == burnIn || window > 0 && (t - burnIn) % window == 0;
            bool starts = _sequenceHasStarts && AnyStart(t, batch);
            BufferSlice hPrev = starts ? _statesIn.Slice(t * layer, layer) : states.Slice(t * layer, layer), dPrev = dStates.Slice(t * layer, layer);
            if (cutHere)
            {
                _backend.Fill(cut, 0f);                                                  // no gradient crosses the cut
                dPrev = cut;
            }
            else if (starts)
            {
                _backend.Copy(cut, dPrev);                                               // the outputs' share, then the step's
                dPrev = cut;
            }
            Core.StepBackward(_backend, default, dPrev, dStates.Slice((t + 1) * layer, layer), states.Slice((t + 1) * layer, layer), hPrev,
                x.Slice(t * input, input), cache.Slice(t * cached, cached), work, batch);
            if (starts && !cutHere)
            {
                // A row whose episode starts at t took zeros, not h_t: only the rows that carried h_t on pass the step's gradient back.
                BufferSlice target = dStates.Slice(t * layer, layer);
                for (int b = 0; b < batch; b++) if (!_starts[t * batch + b]) _backend.Copy(target.Slice(b * h, h), cut.Slice(b * h, h));
            }
        }
    }

    private bool AnyStart(int t, int batch)
    {
        foreach (bool start in _starts.AsSpan(t * batch, batch)) if (start) return true;
        return false;
    }

    /// <summary>‖dL/dθ‖₂ of the last <see cref="ApplyGradients"/> (and so of the last <c>TrainSequence</c>), before clipping; 0 before the first.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>
    /// <see cref="TrainSequence(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, TruncatedBptt)"/> without the update: adds the sequence gradient to the accumulated gradients (see
    /// <see cref="CopyGradientsTo"/>) and returns the loss.
    /// </summary>
    /// <param name="inputs">(steps, batch, In), time-major.</param>
    /// <param name="targets">(steps, batch, Out), time-major.</param>
    /// <param name="initialState">(batch, StateWidth), or empty for zeros.</param>
    /// <param name="batch">Sequences.</param>
    /// <param name="steps">Steps per sequence.</param>
    /// <param name="truncation">Window and burn-in.</param>
    /// <param name="stateGradientNorms">Empty, or <paramref name="steps"/> values receiving ‖dL/dh_t‖₂ per step (see <see cref="RecurrentLayer.BackwardSequence"/>).</param>
    public float AccumulateSequence(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialState, int batch, int steps,
        TruncatedBptt truncation, Span<double> stateGradientNorms = default) =>
        Accumulate(inputs, targets, initialState, batch, steps, truncation, steps - truncation.BurnIn, stateGradientNorms);

    private float Accumulate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> initialState, int batch, int steps,
        TruncatedBptt truncation, int lossSteps, Span<double> stateGradientNorms)
    {
        ThrowIfDisposed();
        _sequenceReady = false;                                                     // the step buffers are overwritten
        if (batch < 1 || batch > MaxAgents) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must lie in [1, {MaxAgents}].");
        if (steps < 1 || steps > MaxSteps) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must lie in [1, {MaxSteps}].");
        if (truncation.BurnIn >= steps) throw new ArgumentException($"The burn-in ({truncation.BurnIn}) must be shorter than the sequence ({steps}).", nameof(truncation));
        if (!stateGradientNorms.IsEmpty && stateGradientNorms.Length != steps) throw new ArgumentException($"stateGradientNorms holds {stateGradientNorms.Length} values but steps = {steps}.", nameof(stateGradientNorms));
        if (lossSteps < 1 || lossSteps > steps - truncation.BurnIn) throw new ArgumentOutOfRangeException(nameof(lossSteps), lossSteps, $"lossSteps must lie in [1, {steps - truncation.BurnIn}] (steps {steps} − burn-in {truncation.BurnIn}).");
        int h = StateWidth, rows = steps * batch;
        if (inputs.Length != rows * Inputs) throw new ArgumentException($"inputs holds {inputs.Length} floats but steps × batch × In = {rows * Inputs}.", nameof(inputs));
        if (targets.Length != rows * Outputs) throw new ArgumentException($"targets holds {targets.Length} floats but steps × batch × Out = {rows * Outputs}.", nameof(targets));
        if (!initialState.IsEmpty && initialState.Length != batch * h) throw new ArgumentException($"initialState holds {initialState.Length} floats but batch × StateWidth = {batch * h}.", nameof(initialState));

        BufferSlice x = _x.Slice(0, rows * Inputs), states = _states.Slice(0, (steps + 1) * batch * h), dStates = _dStates.Slice(0, (steps + 1) * batch * h);
        BufferSlice cache = _cache.Slice(0, rows * Core.CacheWidth), scratch = _scratch.Slice(0, batch * (Core.ScratchWidth + h));
        _backend.Upload(x, inputs);
        _backend.Upload(_targets.Slice(0, rows * Outputs), targets);
        if (initialState.IsEmpty) _backend.Fill(states.Slice(0, batch * h), 0f);
        else _backend.Upload(states.Slice(0, batch * h), initialState);

        Core.ForwardSequence(_backend, states, x, cache, scratch, batch, steps);                        // states (T + 1, B, H)
        int first = (steps - lossSteps) * batch, trained = rows - first, last = _head.Length - 1;     // rows of the loss steps
        BufferSlice outputs = HeadForward(states.Slice(batch * h, rows * h), first, trained);         // head on the loss steps
        BufferSlice target = _targets.Slice(first * Outputs, trained * Outputs), z = _z[last].Slice(first * Outputs, trained * Outputs);
        float loss = _backend.LossForward(Loss, outputs, z, target, trained, Outputs);

        BufferSlice dY = _gradientA.Slice(0, trained * Outputs);
        _backend.LossBackward(dY, Loss, outputs, z, target, trained, Outputs);
        BufferSlice dH = dStates.Slice(batch * h + first * h, trained * h);                            // dL/dh_t from the outputs
        HeadBackward(states.Slice(batch * h, rows * h), dH, first, trained, Loss.IsFused);
        if (first > 0) _backend.Fill(dStates.Slice(batch * h, first * h), 0f);                      // steps without a loss
        Core.BackwardSequence(_backend, default, dStates, states, x, cache, scratch, batch, steps, truncation, stateGradientNorms);
        return loss;
    }

    /// <summary>Copies θ (recurrent layer first, then the dense layers; each as in its arena layout) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyParametersTo(Span<float> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != ParameterCount) throw new ArgumentException($"destination holds {destination.Length} floats but the brain has {ParameterCount}.", nameof(destination));
        _backend.Download(destination, _parameters.All);
    }

    /// <summary>Replaces θ (layout of <see cref="CopyParametersTo"/>).</summary>
    /// <param name="source">Exactly <see cref="ParameterCount"/> floats.</param>
    public void LoadParameters(ReadOnlySpan<float> source)
    {
        ThrowIfDisposed();
        if (source.Length != ParameterCount) throw new ArgumentException($"source holds {source.Length} floats but the brain has {ParameterCount}.", nameof(source));
        _backend.Upload(_parameters.All, source);
    }

    /// <summary>Copies the accumulated gradients (layout of <see cref="CopyParametersTo"/>).</summary>
    /// <param name="destination">Exactly <see cref="ParameterCount"/> floats.</param>
    public void CopyGradientsTo(Span<float> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != ParameterCount) throw new ArgumentException($"destination holds {destination.Length} floats but the brain has {ParameterCount}.", nameof(destination));
        _backend.Download(destination, _gradients.All);
    }

    /// <summary>Clears the accumulated gradients.</summary>
    public void ZeroGradients()
    {
        ThrowIfDisposed();
        _backend.Fill(_gradients.All, 0f);
    }

    // Dense layers on rows [first, first + n) of the (rows, H) states; returns the last layer's output rows.
    private BufferSlice HeadForward(BufferSlice hidden, int first, int n)
    {
        BufferSlice x = hidden.Slice(first * StateWidth, n * StateWidth);
        for (int i = 0; i < _head.Length; i++)
        {
            int width = _head[i].Outputs;
            BufferSlice z = _z[i].Slice(first * width, n * width), y = _y[i].Slice(first * width, n * width);
            _head[i].Forward(_backend, y, z, x, n);
            x = y;
        }
        return x;
    }

    // dY of the last layer in _gradientA; writes dL/dh into dH (n, H).
    private void HeadBackward(BufferSlice hidden, BufferSlice dH, int first, int n, bool fused)
    {
        BufferSlice dY = _gradientA.All, spare = _gradientB.All;
        for (int i = _head.Length - 1; i >= 0; i--)
        {
            Dense layer = _head[i];
            int width = layer.Outputs, fanIn = layer.Inputs;
            BufferSlice x = i == 0 ? hidden.Slice(first * fanIn, n * fanIn) : _y[i - 1].Slice(first * fanIn, n * fanIn);
            BufferSlice dX = i == 0 ? dH : spare.Slice(0, n * fanIn);
            layer.Backward(_backend, dX, dY.Slice(0, n * width), _z[i].Slice(first * width, n * width), _y[i].Slice(first * width, n * width), x, n,
                fused && i == _head.Length - 1);
            (dY, spare) = (spare, dY);
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(RecurrentBrain));
    }

    /// <summary>Frees the buffers (and the backend when the brain created it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var seen = new HashSet<DeviceBuffer>();
        foreach (DeviceBuffer buffer in new[] { _parameters, _gradients, _moment1, _moment2, _x, _states, _dStates, _cache, _scratch, _targets, _gradientA, _gradientB, _statesIn })
        {
            if (seen.Add(buffer)) buffer.Dispose();
        }
        for (int i = 0; i < _head.Length; i++)
        {
            if (seen.Add(_z[i])) _z[i].Dispose();
            if (seen.Add(_y[i])) _y[i].Dispose();
        }
        if (_ownsBackend) _backend.Dispose();
    }
}
