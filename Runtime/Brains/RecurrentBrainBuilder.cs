using System;
using System.Collections.Generic;
using Cortex.Backends;

namespace Cortex;

/// <summary>
/// Fluent description of a brain with memory: a recurrent layer first, then dense layers —
/// <c>Brain.Create(8).Gru(64).Dense(4, Activation.Linear).Build(seed: 1)</c>. Defaults: mean squared error,
/// Adam(1e-3), 256 agents per call, sequences of up to 64 steps, one CPU thread.
/// </summary>
public sealed class RecurrentBrainBuilder
{
    private readonly int _inputs, _hidden;
    private readonly RecurrentKind _kind;
    private readonly float _recurrentScale;
    private readonly List<LayerSpec> _layers = new();
    private Loss _loss = Cortex.Loss.MeanSquaredError;
    private Optimizer _optimizer = Cortex.Optimizer.Adam();
    private int _maxAgents = 256, _maxSteps = 64, _threads = 1;
    private IBackend? _backend;

    internal RecurrentBrainBuilder(int inputs, RecurrentKind kind, int hidden, float recurrentScale)
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "A recurrent layer needs at least one unit.");
        if (!(recurrentScale > 0f) || float.IsInfinity(recurrentScale)) throw new ArgumentOutOfRangeException(nameof(recurrentScale), recurrentScale, "The recurrent scale must be positive and finite.");
        _inputs = inputs;
        _kind = kind;
        _hidden = hidden;
        _recurrentScale = recurrentScale;
    }

    /// <summary>Appends a dense layer of <paramref name="units"/> outputs.</summary>
    /// <param name="units">Outputs of the layer.</param>
    /// <param name="activation">Its activation.</param>
    /// <param name="init">Weight initialisation.</param>
    public RecurrentBrainBuilder Dense(int units, Activation activation, WeightInit init = WeightInit.Auto)
    {
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, "A layer needs at least one unit.");
        _layers.Add(new LayerSpec(units, activation, init));
        return this;
    }

    /// <summary>Sets the training loss.</summary>
    /// <param name="loss">The loss.</param>
    public RecurrentBrainBuilder Loss(Loss loss)
    {
        _loss = loss;
        return this;
    }

    /// <summary>Sets the update rule (its gradient clipping applies to the whole sequence's gradient).</summary>
    /// <param name="optimizer">The optimizer.</param>
    public RecurrentBrainBuilder Optimizer(Optimizer optimizer)
    {
        _optimizer = optimizer;
        return this;
    }

    /// <summary>Sets the most agents (batch rows) one call handles; thinking splits larger groups, training rejects them.</summary>
    /// <param name="maxAgents">At least 1.</param>
    public RecurrentBrainBuilder MaxAgents(int maxAgents)
    {
        if (maxAgents < 1) throw new ArgumentOutOfRangeException(nameof(maxAgents), maxAgents, "maxAgents must be at least 1.");
        _maxAgents = maxAgents;
        return this;
    }

    /// <summary>Sets the longest training sequence (the workspaces are sized for it once).</summary>
    /// <param name="maxSteps">At least 1.</param>
    public RecurrentBrainBuilder MaxSequence(int maxSteps)
    {
        if (maxSteps < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be at least 1.");
        _maxSteps = maxSteps;
        return this;
    }

    /// <summary>Runs on a CPU backend of its own with this many threads (ignored when <see cref="Backend"/> is set).</summary>
    /// <param name="threads">At least 1.</param>
    public RecurrentBrainBuilder Threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        _threads = threads;
        return this;
    }

    /// <summary>Runs on a backend the caller owns (and disposes after the brain).</summary>
    /// <param name="backend">The backend.</param>
    public RecurrentBrainBuilder Backend(IBackend backend)
    {
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        return this;
    }

    /// <summary>Validates the description, draws the weights from <paramref name="seed"/> and allocates everything.</summary>
    /// <param name="seed">Seed for the weights.</param>
    public RecurrentBrain Build(ulong seed)
    {
        if (_layers.Count == 0) throw new InvalidOperationException("A recurrent brain needs at least one dense layer after the recurrent one.");
        if (_loss.IsFused && _layers[_layers.Count - 1].Activation.Kind != (_loss.Kind == LossKind.SoftmaxCrossEntropy ? ActivationKind.Softmax : ActivationKind.Sigmoid))
        {
            throw new InvalidOperationException($"{_loss} needs a {(_loss.Kind == LossKind.SoftmaxCrossEntropy ? "softmax" : "sigmoid")} last layer.");
        }
        IBackend backend = _backend ?? new CpuBackend(_threads);
        return new RecurrentBrain(_inputs, _kind, _hidden, _recurrentScale, _layers, _loss, _optimizer, _maxAgents, _maxSteps, seed, backend, ownsBackend: _backend is null);
    }
}
