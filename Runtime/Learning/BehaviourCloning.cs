using System;

namespace Cortex.Learning;

/// <summary>Hyper-parameters of <see cref="BehaviourCloning"/>.</summary>
public sealed class BehaviourCloningOptions
{
    /// <summary>Recorded steps per minibatch (drawn uniformly with replacement); the actor's MaxBatch must hold it.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// The fixed log σ of continuous actions in the Gaussian negative log-likelihood; at 0 the loss is
    /// ½(a − μ)² per dimension plus a constant, i.e. mean squared error on the means.
    /// </summary>
    public float LogStd { get; set; }

    internal void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(LogStd > -10f && LogStd < 5f)) throw new ArgumentOutOfRangeException(nameof(LogStd), LogStd, "LogStd must lie in (-10, 5).");
    }
}

/// <summary>
/// Behaviour cloning: fits a policy network (the layout <see cref="PpoLearner"/> uses: branch logits,
/// then continuous means) to a <see cref="Demonstration"/> by minimising −mean log π(a|s) — cross-entropy
/// for the discrete branches, the Gaussian negative log-likelihood (MSE at σ = 1) for the continuous
/// values. The result is a starting point for PPO. Each <see cref="Step"/> allocates nothing.
/// </summary>
public sealed class BehaviourCloning
{
    private readonly Demonstration _demonstration;
    private readonly BehaviourCloningOptions _options;
    private readonly SeededRandom _random;
    private readonly int _batch, _inputs, _outputs, _actionSize;
    private readonly float[] _observations, _actions, _dOutputs, _logStd;
    private readonly double[] _dLogStd, _scratch;

    /// <summary>Creates a trainer.</summary>
    /// <param name="actor">Policy network: Inputs = the demonstration's observation size, Outputs = its spec's PolicyOutputs, linear last layer.</param>
    /// <param name="demonstration">The recorded play, at least one step.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="seed">Seed for drawing minibatches.</param>
    public BehaviourCloning(Brain actor, Demonstration demonstration, BehaviourCloningOptions? options, ulong seed)
    {
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        _demonstration = demonstration ?? throw new ArgumentNullException(nameof(demonstration));
        if (demonstration.Steps < 1) throw new ArgumentException("The demonstration holds no steps.", nameof(demonstration));
        if (actor.Inputs != demonstration.ObservationSize) throw new ArgumentException($"The actor takes {actor.Inputs} inputs but the demonstration's observations hold {demonstration.ObservationSize}.", nameof(actor));
        if (actor.Outputs != demonstration.Actions.PolicyOutputs) throw new ArgumentException($"The actor has {actor.Outputs} outputs but {demonstration.Actions} needs {demonstration.Actions.PolicyOutputs}.", nameof(actor));
        LearnerChecks.RequireLinearOutput(actor, nameof(actor), "The actor", "logits and means");
        _options = options ?? new BehaviourCloningOptions();
        _options.Validate();
        if (actor.MaxBatch < _options.BatchSize) throw new ArgumentException($"The actor's MaxBatch is {actor.MaxBatch} but BatchSize is {_options.BatchSize}.", nameof(actor));
        _random = new SeededRandom(seed);
        _batch = _options.BatchSize;
        _inputs = actor.Inputs;
        _outputs = actor.Outputs;
        _actionSize = demonstration.Actions.ActionSize;
        _observations = new float[_batch * _inputs];
        _actions = new float[_batch * _actionSize];
        _dOutputs = new float[_batch * _outputs];
        _logStd = new float[demonstration.Actions.ContinuousSize];
        _logStd.AsSpan().Fill(_options.LogStd);
        _dLogStd = new double[_logStd.Length];
        _scratch = new double[Math.Max(1, demonstration.Actions.DiscreteLogits)];
    }

    /// <summary>The policy being trained.</summary>
    public Brain Actor { get; }

    /// <summary>Minibatch steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>−mean log π(a|s) of the last minibatch.</summary>
    public float LastLoss { get; private set; }

    /// <summary>One minibatch step; returns its loss (before the step).</summary>
    public float Step()
    {
        ReadOnlySpan<float> observations = _demonstration.Observations, actions = _demonstration.ActionRows;
        for (int r = 0; r < _batch; r++)
        {
            int i = _random.NextInt(_demonstration.Steps);
            observations.Slice(i * _inputs, _inputs).CopyTo(_observations.AsSpan(r * _inputs));
            actions.Slice(i * _actionSize, _actionSize).CopyTo(_actions.AsSpan(r * _actionSize));
        }
        ReadOnlySpan<float> outputs = Actor.Forward(_observations, _batch);
        double loss = Loss(_demonstration.Actions, outputs, _actions, _logStd, _batch, _dOutputs, _dLogStd, _scratch);
        LastLoss = (float)loss;
        if (double.IsNaN(loss) || double.IsInfinity(loss)) return LastLoss;
        Actor.Backward(_dOutputs, _batch);
        Actor.ApplyGradients();
        Steps++;
        return LastLoss;
    }

    /// <summary>Takes <paramref name="steps"/> minibatch steps; returns the last loss.</summary>
    /// <param name="steps">At least 1.</param>
    public float Train(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be at least 1.");
        for (int s = 0; s < steps; s++) Step();
        return LastLoss;
    }

    /// <summary>The BC objective −(1/n)Σ log π(a_i|s_i): returns it, writes dL/d outputs and adds dL/d log σ.</summary>
    // outputs (n, PolicyOutputs), actions (n, ActionSize), logStd (ContinuousSize), dOutputs (n, PolicyOutputs) written
    internal static double Loss(ActionSpec spec, ReadOnlySpan<float> outputs, ReadOnlySpan<float> actions, ReadOnlySpan<float> logStd, int n,
        Span<float> dOutputs, Span<double> dLogStd, Span<double> scratch)
    {
        int k = spec.PolicyOutputs, m = spec.ActionSize;
        double loss = 0, scale = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = outputs.Slice(i * k, k), action = actions.Slice(i * m, m);
            loss -= PolicyMath.LogProb(spec, row, action, default, logStd, scratch, out _);
            PolicyMath.LogProbBackward(spec, dOutputs.Slice(i * k, k), dLogStd, row, action, logStd, scratch, -scale, 0.0);
        }
        return loss * scale;
    }
}
