using System;
using System.Collections.Generic;
using Cortex.Backends;

namespace Cortex;

/// <summary>
/// Fluent description of a brain: <c>Brain.Create(4).Dense(64, Activation.Tanh).Dense(2, Activation.Linear)
/// .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.Adam()).Build(seed: 42)</c>.
/// Defaults: mean squared error, Adam(1e-3), max batch 256, one CPU thread.
/// </summary>
public sealed class BrainBuilder
{
    private readonly int _inputs;
    private readonly List<LayerSpec> _layers = new();
    private Loss _loss = Cortex.Loss.MeanSquaredError;
    private Optimizer _optimizer = Cortex.Optimizer.Adam();
    private int _maxBatch = 256;
    private int _threads = 1;
    private IBackend? _backend;

    internal BrainBuilder(int inputs)
    {
        if (inputs < 1 || inputs > BrainSpec.MaxWidth) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, $"inputs must lie in [1, {BrainSpec.MaxWidth}].");
        _inputs = inputs;
    }

    /// <summary>Appends a dense layer of <paramref name="units"/> outputs.</summary>
    /// <param name="units">Outputs of the layer.</param>
    /// <param name="activation">Its activation.</param>
    /// <param name="init">Weight initialisation (He for the ReLU family, Xavier otherwise, by default).</param>
    public BrainBuilder Dense(int units, Activation activation, WeightInit init = WeightInit.Auto)
    {
        if (units < 1 || units > BrainSpec.MaxWidth) throw new ArgumentOutOfRangeException(nameof(units), units, $"units must lie in [1, {BrainSpec.MaxWidth}].");
        if ((uint)init > (uint)WeightInit.HeNormal) throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown weight initialisation.");
        _layers.Add(new LayerSpec(units, activation, init));
        return this;
    }

    /// <summary>Starts a brain with memory: a GRU of <paramref name="units"/> as its first layer (dense layers follow).</summary>
    /// <param name="units">Hidden units, the per-agent state width.</param>
    public RecurrentBrainBuilder Gru(int units) => Recurrent(RecurrentKind.Gru, units, 1f);

    /// <summary>Starts a brain with memory: an Elman RNN (tanh) of <paramref name="units"/> as its first layer.</summary>
    /// <param name="units">Hidden units, the per-agent state width.</param>
    /// <param name="recurrentScale">Factor on the initial recurrent weights.</param>
    public RecurrentBrainBuilder Rnn(int units, float recurrentScale = 1f) => Recurrent(RecurrentKind.Rnn, units, recurrentScale);

    private RecurrentBrainBuilder Recurrent(RecurrentKind kind, int units, float recurrentScale)
    {
        if (_layers.Count > 0) throw new InvalidOperationException("The recurrent layer must be the first layer of a brain.");
        return new RecurrentBrainBuilder(_inputs, kind, units, recurrentScale);
    }

    /// <summary>Sets the training loss.</summary>
    /// <param name="loss">The loss.</param>
    public BrainBuilder Loss(Loss loss)
    {
        _loss = loss;
        return this;
    }

    /// <summary>Sets the update rule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    public BrainBuilder Optimizer(Optimizer optimizer)
    {
        _optimizer = optimizer;
        return this;
    }

    /// <summary>Sets the largest training batch (workspaces are sized for it once; prediction splits larger batches).</summary>
    /// <param name="maxBatch">At least 1.</param>
    public BrainBuilder MaxBatch(int maxBatch)
    {
        if (maxBatch < 1 || maxBatch > BrainSpec.MaxBatchLimit) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, $"maxBatch must lie in [1, {BrainSpec.MaxBatchLimit}].");
        _maxBatch = maxBatch;
        return this;
    }

    /// <summary>Runs on a CPU backend of its own with this many threads (ignored when <see cref="Backend"/> is set).</summary>
    /// <param name="threads">At least 1.</param>
    public BrainBuilder Threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        _threads = threads;
        return this;
    }

    /// <summary>Runs on a backend the caller owns (and disposes after the brain).</summary>
    /// <param name="backend">The backend.</param>
    public BrainBuilder Backend(IBackend backend)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        return this;
    }

    /// <summary>The spec described so far (validated).</summary>
    public BrainSpec ToSpec() => new(_inputs, _layers, _loss, _optimizer, _maxBatch);

    /// <summary>Validates the description, draws the weights from <paramref name="seed"/> and allocates everything.</summary>
    /// <param name="seed">Seed for the weights (and the brain's generator).</param>
    public Brain Build(ulong seed)
    {
        BrainSpec spec = ToSpec();
        return _backend is null ? new Brain(spec, seed, new CpuBackend(_threads), ownsBackend: true) : new Brain(spec, seed, _backend, ownsBackend: false);
    }
}
