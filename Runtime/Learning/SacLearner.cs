using System;

namespace Cortex.Learning;

/// <summary>
/// Soft actor-critic (Haarnoja et al. 2018) for continuous actions in [−1, 1], many agents sharing one
/// actor: twin Q critics with Polyak-averaged targets (clipped double-Q), a tanh-squashed Gaussian
/// policy (the actor outputs the means, then the raw log σ of each action dimension) with the
/// log-probability correction, automatic entropy-temperature tuning toward a target entropy, a replay
/// buffer, and a configurable update-to-data ratio. <see cref="Act"/> answers every agent with one
/// batched call; <see cref="Record"/> stores the transitions and takes the gradient steps they pay for.
/// Allocates nothing per step once built; the same seed gives bitwise-identical learning on the CPU backend.
/// </summary>
public sealed class SacLearner : IDisposable
{
    private const double AdamBeta1 = 0.9, AdamBeta2 = 0.999, AdamEpsilon = 1e-8;
    private readonly SacOptions _options;
    private readonly SeededRandom _random;
    private readonly ReplayBuffer _buffer;
    private readonly int _agents, _observationSize, _actionSize, _batch;
    private readonly float _targetEntropy;
    private readonly float[] _lastObservations, _lastActions, _actOutputs, _noiseRow;
    private readonly float[] _bObservations, _bActions, _bRewards, _bNext, _bTerminals, _qInput, _targets, _noise, _actorOutputs, _sampled;
    private readonly float[] _q1, _q2, _dQ, _dOut1, _dOut2, _dInput1, _dInput2, _dQdAction, _dActor;
    private double _logAlpha, _alphaM, _alphaV, _updateCredit;
    private long _alphaSteps;
    private bool _awaitingRecord;

    /// <summary>Whether an exploring Act waits for its Record.</summary>
    internal bool AwaitingRecord => _awaitingRecord;

    /// <summary>Creates a learner; the target critics start as clones of the critics.</summary>
    /// <param name="actor">Policy network: Inputs = observation size, Outputs = 2 × action size (means, then raw log σ), linear last layer.</param>
    /// <param name="critic1">First Q network: Inputs = observation size + action size, one linear output.</param>
    /// <param name="critic2">Second Q network, same shape (built with another seed).</param>
    /// <param name="agents">Agents acting each step, at least 1.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="seed">Seed for exploration noise and replay sampling.</param>
    public SacLearner(Brain actor, Brain critic1, Brain critic2, int agents, SacOptions? options, ulong seed)
    {
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        Critic1 = critic1 ?? throw new ArgumentNullException(nameof(critic1));
        Critic2 = critic2 ?? throw new ArgumentNullException(nameof(critic2));
        if (agents < 1) throw new ArgumentOutOfRangeException(nameof(agents), agents, "agents must be at least 1.");
        if (actor.Outputs % 2 != 0) throw new ArgumentException($"The actor must output means and log σ (an even count); it has {actor.Outputs} outputs.", nameof(actor));
        int a = actor.Outputs / 2, o = actor.Inputs;
        foreach ((Brain critic, string name) in new[] { (critic1, nameof(critic1)), (critic2, nameof(critic2)) })
        {
            if (critic.Inputs != o + a) throw new ArgumentException($"{name} takes {critic.Inputs} inputs but observation + action is {o + a}.", name);
            if (critic.Outputs != 1) throw new ArgumentException($"{name} must have one output (Q); it has {critic.Outputs}.", name);
            LearnerChecks.RequireLinearOutput(critic, name, name);
        }
        if (ReferenceEquals(critic1, critic2)) throw new ArgumentException("The two critics must be different brains.", nameof(critic2));
        LearnerChecks.RequireLinearOutput(actor, nameof(actor), "The actor");
        _options = options ?? new SacOptions();
        _options.Validate();
        _batch = _options.BatchSize;
        foreach ((Brain brain, string name) in new[] { (actor, nameof(actor)), (critic1, nameof(critic1)), (critic2, nameof(critic2)) })
        {
            if (brain.MaxBatch < _batch) throw new ArgumentException($"{name}'s MaxBatch is {brain.MaxBatch} but BatchSize is {_batch}.", name);
        }
        _agents = agents;
        _observationSize = o;
        _actionSize = a;
        _random = new SeededRandom(seed);
        _buffer = new ReplayBuffer(_options.BufferCapacity, o, a);
        Target1 = critic1.Clone();
        Target2 = critic2.Clone();
        _targetEntropy = _options.TargetEntropy ?? -a;
        _logAlpha = Math.Log(_options.InitialTemperature);
        _lastObservations = new float[agents * o];
        _lastActions = new float[agents * a];
        _actOutputs = new float[agents * 2 * a];
        _noiseRow = new float[a];
        int b = _batch;
        _bObservations = new float[b * o];
        _bActions = new float[b * a];
        _bRewards = new float[b];
        _bNext = new float[b * o];
        _bTerminals = new float[b];
        _qInput = new float[b * (o + a)];
        _targets = new float[b];
        _noise = new float[b * a];
        _actorOutputs = new float[b * 2 * a];
        _sampled = new float[b * a];
        _q1 = new float[b];
        _q2 = new float[b];
        _dQ = new float[b];
        _dOut1 = new float[b];
        _dOut2 = new float[b];
        _dInput1 = new float[b * (o + a)];
        _dInput2 = new float[b * (o + a)];
        _dQdAction = new float[b * a];
        _dActor = new float[b * 2 * a];
    }

    /// <summary>The policy network.</summary>
    public Brain Actor { get; }

    /// <summary>The first Q network.</summary>
    public Brain Critic1 { get; }

    /// <summary>The second Q network.</summary>
    public Brain Critic2 { get; }

    /// <summary>Polyak-averaged copy of <see cref="Critic1"/> (owned by the learner).</summary>
    public Brain Target1 { get; }

    /// <summary>Polyak-averaged copy of <see cref="Critic2"/> (owned by the learner).</summary>
    public Brain Target2 { get; }

    /// <summary>Continuous values per action.</summary>
    public int ActionSize => _actionSize;

    /// <summary>Agents per step.</summary>
    public int Agents => _agents;

    /// <summary>The entropy temperature α.</summary>
    public float Temperature => (float)Math.Exp(_logAlpha);

    /// <summary>Transitions recorded (agent-steps).</summary>
    public long Steps { get; private set; }

    /// <summary>Gradient steps taken.</summary>
    public long Updates { get; private set; }

    /// <summary>Mean of the two critics' losses ½(Q − y)² in the last gradient step.</summary>
    public float LastCriticLoss { get; private set; }

    /// <summary>The actor's loss α·log π − min Q in the last gradient step.</summary>
    public float LastActorLoss { get; private set; }

    /// <summary>Mean −log π of the last gradient step's sampled actions (an entropy estimate).</summary>
    public float LastEntropy { get; private set; }

    /// <summary>The replay buffer.</summary>
    public ReplayBuffer Buffer => _buffer;

    /// <summary>
    /// Chooses actions in [−1, 1] for every agent: tanh of a sample from the policy when
    /// <paramref name="explore"/> (uniform while fewer than LearningStarts transitions are stored), else tanh of the mean.
    /// </summary>
    /// <param name="observations">(Agents, observation size).</param>
    /// <param name="actions">(Agents, ActionSize).</param>
    /// <param name="explore">Sample and remember for <see cref="Record"/> (training), or act deterministically.</param>
    public void Act(ReadOnlySpan<float> observations, Span<float> actions, bool explore = true)
    {
        int o = _observationSize, a = _actionSize;
        Need(observations.Length, _agents * o, nameof(observations));
        Need(actions.Length, _agents * a, nameof(actions));
        if (explore && _awaitingRecord) throw new InvalidOperationException("Call Record with the outcome of the previous Act before acting again.");
        bool warmUp = explore && _buffer.Count < _options.LearningStarts;
        if (!warmUp) Actor.Predict(observations, _actOutputs, _agents);
        for (int i = 0; i < _agents; i++)
        {
            Span<float> action = actions.Slice(i * a, a);
            ReadOnlySpan<float> row = _actOutputs.AsSpan(i * 2 * a, 2 * a);
            if (warmUp) for (int j = 0; j < a; j++) action[j] = _random.NextFloat(-1f, 1f);
            else if (!explore) for (int j = 0; j < a; j++) action[j] = MathF.Tanh(row[j]);
            else
            {
                for (int j = 0; j < a; j++) _noiseRow[j] = _random.NextGaussian();
                SacLoss.Sample(row, _noiseRow, action, _options.MinLogStd, _options.MaxLogStd);
            }
        }
        if (!explore) return;
        observations.Slice(0, _agents * o).CopyTo(_lastObservations);
        actions.Slice(0, _agents * a).CopyTo(_lastActions);
        _awaitingRecord = true;
    }

    /// <summary>
    /// Records the outcome of the last exploring <see cref="Act"/> and takes the gradient steps the
    /// update-to-data ratio allows. Returns the number of gradient steps taken.
    /// </summary>
    /// <param name="rewards">(Agents).</param>
    /// <param name="nextObservations">(Agents, observation size): each agent's successor state — for an agent whose episode ended, its last observation (before any reset).</param>
    /// <param name="terminated">(Agents): true where the episode really ended (no bootstrapping); a time-limit truncation is not termination.</param>
    public int Record(ReadOnlySpan<float> rewards, ReadOnlySpan<float> nextObservations, ReadOnlySpan<bool> terminated)
    {
        if (!_awaitingRecord) throw new InvalidOperationException("Record follows an exploring Act.");
        int o = _observationSize, a = _actionSize;
        Need(rewards.Length, _agents, nameof(rewards));
        Need(nextObservations.Length, _agents * o, nameof(nextObservations));
        Need(terminated.Length, _agents, nameof(terminated));
        for (int i = 0; i < _agents; i++)
        {
            _buffer.Add(_lastObservations.AsSpan(i * o, o), _lastActions.AsSpan(i * a, a), rewards[i], nextObservations.Slice(i * o, o), terminated[i]);
        }
        Steps += _agents;
        _awaitingRecord = false;
        if (_buffer.Count < _options.LearningStarts) return 0;
        _updateCredit += _agents * (double)_options.UpdatesPerStep;
        int steps = 0;
        while (_updateCredit >= 1.0)
        {
            _updateCredit -= 1.0;
            Update();
            steps++;
        }
        return steps;
    }

    private void Update()
    {
        int b = _batch, o = _observationSize, a = _actionSize;
        float alpha = Temperature, gamma = _options.Gamma;
        _buffer.Sample(_random, b, _bObservations, _bActions, _bRewards, _bNext, _bTerminals);

        // y = r + γ(1 − d)(min Q′(s′, a′) − α log π(a′|s′)), a′ ~ π(s′).
        Actor.Predict(_bNext, _actorOutputs, b);
        FillNoise();
        for (int i = 0; i < b; i++)
        {
            _targets[i] = (float)SacLoss.Sample(_actorOutputs.AsSpan(i * 2 * a, 2 * a), _noise.AsSpan(i * a, a), _sampled.AsSpan(i * a, a),
                _options.MinLogStd, _options.MaxLogStd);
        }
        FillCriticInput(_bNext, _sampled);
        Target1.Predict(_qInput, _q1, b);
        Target2.Predict(_qInput, _q2, b);
        for (int i = 0; i < b; i++)
        {
            float soft = Math.Min(_q1[i], _q2[i]) - alpha * _targets[i];
            _targets[i] = _bRewards[i] + gamma * (1f - _bTerminals[i]) * soft;
        }

        // Critics: ½·mean((Q(s, a) − y)²) each.
        FillCriticInput(_bObservations, _bActions);
        double criticLoss = CriticStep(Critic1) + CriticStep(Critic2);
        LastCriticLoss = (float)(criticLoss / 2);

        // Actor: mean(α log π(ã|s) − min Q(s, ã)), ã = tanh(μ + σε), differentiated through the critics' inputs.
        Actor.Forward(_bObservations, b).CopyTo(_actorOutputs);
        FillNoise();
        for (int i = 0; i < b; i++)
        {
            SacLoss.Sample(_actorOutputs.AsSpan(i * 2 * a, 2 * a), _noise.AsSpan(i * a, a), _sampled.AsSpan(i * a, a), _options.MinLogStd, _options.MaxLogStd);
        }
        FillCriticInput(_bObservations, _sampled);
        Critic1.Forward(_qInput, b).CopyTo(_q1);
        Critic2.Forward(_qInput, b).CopyTo(_q2);
        double minQ = 0;
        for (int i = 0; i < b; i++)
        {
            bool first = _q1[i] <= _q2[i];
            _dOut1[i] = first ? 1f : 0f;
            _dOut2[i] = first ? 0f : 1f;
            minQ += first ? _q1[i] : _q2[i];
        }
        Critic1.BackwardToInputs(_dOut1, b, _dInput1);
        Critic2.BackwardToInputs(_dOut2, b, _dInput2);
        Critic1.ZeroGradients();
        Critic2.ZeroGradients();
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < a; j++) _dQdAction[i * a + j] = _dInput1[i * (o + a) + o + j] + _dInput2[i * (o + a) + o + j];
        }
        double actorLoss = SacLoss.Actor(_actorOutputs, _noise, _dQdAction, alpha, _options.MinLogStd, _options.MaxLogStd, b, a, _dActor, out double meanLogProb);
        LastActorLoss = (float)(actorLoss - minQ / b);
        LastEntropy = (float)-meanLogProb;
        if (!double.IsNaN(actorLoss) && !double.IsInfinity(actorLoss))
        {
            Actor.Backward(_dActor, b);
            Actor.ApplyGradients();
        }

        if (_options.AutoTemperature && !double.IsNaN(meanLogProb) && !double.IsInfinity(meanLogProb)) StepTemperature(meanLogProb);
        Target1.BlendParametersFrom(Critic1, _options.Tau);
        Target2.BlendParametersFrom(Critic2, _options.Tau);
        Updates++;
    }

    private double CriticStep(Brain critic)
    {
        ReadOnlySpan<float> q = critic.Forward(_qInput, _batch);
        double loss = SacLoss.Critic(q, _targets, _batch, _dQ);
        if (double.IsNaN(loss) || double.IsInfinity(loss)) return loss;
        critic.Backward(_dQ, _batch);
        critic.ApplyGradients();
        return loss;
    }

    private void StepTemperature(double meanLogProb)
    {
        SacLoss.Temperature(_logAlpha, meanLogProb, _targetEntropy, out double g);
        _alphaSteps++;
        _alphaM = AdamBeta1 * _alphaM + (1 - AdamBeta1) * g;
        _alphaV = AdamBeta2 * _alphaV + (1 - AdamBeta2) * g * g;
        double mHat = _alphaM / (1 - Math.Pow(AdamBeta1, _alphaSteps)), vHat = _alphaV / (1 - Math.Pow(AdamBeta2, _alphaSteps));
        _logAlpha = Math.Max(-20.0, Math.Min(5.0, _logAlpha - _options.TemperatureLearningRate * mHat / (Math.Sqrt(vHat) + AdamEpsilon)));
    }

    private void FillNoise()
    {
        for (int i = 0; i < _noise.Length; i++) _noise[i] = _random.NextGaussian();
    }

    private void FillCriticInput(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions)
    {
        int o = _observationSize, a = _actionSize;
        for (int i = 0; i < _batch; i++)
        {
            observations.Slice(i * o, o).CopyTo(_qInput.AsSpan(i * (o + a), o));
            actions.Slice(i * a, a).CopyTo(_qInput.AsSpan(i * (o + a) + o, a));
        }
    }

    /// <summary>Disposes the target critics (the learner's own); the actor and critics stay the caller's.</summary>
    public void Dispose()
    {
        Target1.Dispose();
        Target2.Dispose();
    }

    private static void Need(int length, int needed, string name)
    {
        if (length < needed) throw new ArgumentException($"{name} holds {length} values but {needed} are needed.", name);
    }
}
