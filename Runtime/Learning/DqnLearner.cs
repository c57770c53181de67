using System;

namespace Cortex.Learning;

/// <summary>Hyperparameters of <see cref="DqnLearner"/>. Defaults follow the tuned cart-pole settings of the RL zoos.</summary>
public sealed class DqnOptions
{
    /// <summary>Discount γ.</summary>
    public float Gamma { get; set; } = 0.99f;

    /// <summary>Transitions per gradient step.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Replay capacity.</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Environment steps before the first update.</summary>
    public int LearningStarts { get; set; } = 1_000;

    /// <summary>Environment steps between training phases.</summary>
    public int TrainEvery { get; set; } = 1;

    /// <summary>Gradient steps per training phase.</summary>
    public int GradientSteps { get; set; } = 1;

    /// <summary>Environment steps between hard target-network copies (used when <see cref="PolyakTau"/> is 0).</summary>
    public int TargetUpdateInterval { get; set; } = 500;

    /// <summary>When &gt; 0, the target network follows the online one by Polyak averaging with this τ after every gradient step instead of hard copies.</summary>
    public float PolyakTau { get; set; }

    /// <summary>Double DQN: the online network picks the next action, the target network values it.</summary>
    public bool DoubleDqn { get; set; } = true;

    /// <summary>δ of the Huber loss on the TD error.</summary>
    public float HuberDelta { get; set; } = 1f;

    /// <summary>ε-greedy schedule over environment steps.</summary>
    public ExplorationSchedule Exploration { get; set; } = ExplorationSchedule.Linear(1f, 0.05f, 10_000);

    internal void Validate(Brain online)
    {
        if (!(Gamma >= 0f && Gamma <= 1f)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must lie in [0, 1].");
        if (BatchSize < 1 || BatchSize > online.MaxBatch) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must lie in [1, {online.MaxBatch}] (the brain's MaxBatch).");
        if (BufferCapacity < BatchSize) throw new ArgumentOutOfRangeException(nameof(BufferCapacity), BufferCapacity, "BufferCapacity must hold at least one batch.");
        if (LearningStarts < 0) throw new ArgumentOutOfRangeException(nameof(LearningStarts), LearningStarts, "LearningStarts must be non-negative.");
        if (TrainEvery < 1) throw new ArgumentOutOfRangeException(nameof(TrainEvery), TrainEvery, "TrainEvery must be at least 1.");
        if (GradientSteps < 0) throw new ArgumentOutOfRangeException(nameof(GradientSteps), GradientSteps, "GradientSteps must be non-negative.");
        if (TargetUpdateInterval < 1) throw new ArgumentOutOfRangeException(nameof(TargetUpdateInterval), TargetUpdateInterval, "TargetUpdateInterval must be at least 1.");
        if (!(PolyakTau >= 0f && PolyakTau <= 1f)) throw new ArgumentOutOfRangeException(nameof(PolyakTau), PolyakTau, "PolyakTau must lie in [0, 1].");
        if (!(HuberDelta > 0f)) throw new ArgumentOutOfRangeException(nameof(HuberDelta), HuberDelta, "HuberDelta must be positive.");
        if (online.Outputs < 2) throw new ArgumentException($"A DQN brain needs one output per action (at least 2); it has {online.Outputs}.", nameof(online));
    }
}

/// <summary>
/// Deep Q-learning for discrete actions: an online Q-network (the brain you pass), a target network,
/// a replay buffer, ε-greedy exploration, Double DQN targets, the Huber loss on the TD error and the
/// brain's own optimizer (with its gradient clipping). Deterministic for a seed; a gradient step
/// allocates nothing.
/// </summary>
public sealed class DqnLearner : IDisposable
{
    private readonly DqnOptions _options;
    private readonly SeededRandom _random;
    private readonly float[] _observations, _actions, _rewards, _nextObservations, _terminals;
    private readonly float[] _nextOnline, _nextTarget, _gradient, _actionValues;
    private int _sinceTraining;

    /// <summary>Creates a learner around an online Q-network (Outputs = number of actions).</summary>
    /// <param name="online">Q(s, ·); its loss is not used (the learner supplies Huber gradients), its optimizer is.</param>
    /// <param name="options">Hyperparameters (defaults when null).</param>
    /// <param name="seed">Seed for exploration and replay sampling.</param>
    public DqnLearner(Brain online, DqnOptions? options, ulong seed)
    {
        Online = online ?? throw new ArgumentNullException(nameof(online));
        Online.StepFilter ??= new SpikeGuard();   // a spike guard unless the caller set a filter
        _options = options ?? new DqnOptions();
        _options.Validate(online);
        Target = online.Clone();
        _random = new SeededRandom(seed);
        Replay = new ReplayBuffer(_options.BufferCapacity, online.Inputs);
        int b = _options.BatchSize, n = online.Inputs, k = online.Outputs;
        _observations = new float[b * n];
        _nextObservations = new float[b * n];
        _actions = new float[b];
        _rewards = new float[b];
        _terminals = new float[b];
        _nextOnline = new float[b * k];
        _nextTarget = new float[b * k];
        _gradient = new float[b * k];
        _actionValues = new float[k];
    }

    /// <summary>The online Q-network being trained.</summary>
    public Brain Online { get; }

    /// <summary>The target network (a clone of the online one, refreshed per the options).</summary>
    public Brain Target { get; }

    /// <summary>The replay buffer.</summary>
    public ReplayBuffer Replay { get; }

    /// <summary>The hyperparameters.</summary>
    public DqnOptions Options => _options;

    /// <summary>Environment steps observed.</summary>
    public long EnvironmentSteps { get; private set; }

    /// <summary>Gradient steps taken.</summary>
    public long Updates { get; private set; }

    /// <summary>Mean Huber loss of the last gradient step.</summary>
    public float LastLoss { get; private set; }

    /// <summary>The current ε.</summary>
    public float Epsilon => _options.Exploration.At(EnvironmentSteps);

    /// <summary>Number of actions.</summary>
    public int ActionCount => Online.Outputs;

    /// <summary>ε-greedy action for one observation (greedy when <paramref name="explore"/> is false).</summary>
    /// <param name="observation">s (Inputs).</param>
    /// <param name="explore">Use ε-greedy exploration.</param>
    public int SelectAction(ReadOnlySpan<float> observation, bool explore = true)
    {
        if (explore && _random.NextFloat() < Epsilon) return _random.NextInt(ActionCount);
        Online.Predict(observation, _actionValues, 1);
        return Metrics.ArgMax(_actionValues);
    }

    /// <summary>Greedy actions for many observations in one batched call.</summary>
    /// <param name="observations">(count, Inputs).</param>
    /// <param name="actionValues">Scratch (count, actions) for the Q-values.</param>
    /// <param name="actions">Output (count).</param>
    /// <param name="count">Rows.</param>
    public void SelectGreedyActions(ReadOnlySpan<float> observations, Span<float> actionValues, Span<int> actions, int count)
    {
        if (actions.Length < count) throw new ArgumentException($"actions holds {actions.Length} values but count = {count}.", nameof(actions));
        Online.Predict(observations, actionValues, count);
        int k = ActionCount;
        for (int r = 0; r < count; r++) actions[r] = Metrics.ArgMax(actionValues.Slice(r * k, k));
    }

    /// <summary>
    /// Records a transition and, when due, trains (and refreshes the target network). Returns the
    /// number of gradient steps taken.
    /// </summary>
    /// <param name="observation">s.</param>
    /// <param name="action">a.</param>
    /// <param name="reward">r.</param>
    /// <param name="nextObservation">s′.</param>
    /// <param name="terminal">s′ ends the episode for real (a time-limit truncation is not terminal).</param>
    public int Observe(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, bool terminal)
    {
        Record(observation, action, reward, nextObservation, terminal);
        int steps = 0;
        if (ReadyToTrain && ++_sinceTraining >= _options.TrainEvery)
        {
            _sinceTraining = 0;
            for (int i = 0; i < _options.GradientSteps; i++)
            {
                TrainStep();
                steps++;
            }
        }
        if (_options.PolyakTau == 0f && EnvironmentSteps % _options.TargetUpdateInterval == 0) Target.CopyParametersFrom(Online);
        return steps;
    }

    /// <summary>
    /// Whether training is due: at least <see cref="DqnOptions.LearningStarts"/> transitions recorded and a whole
    /// batch in the replay buffer (which may hold fewer than LearningStarts when its capacity is smaller).
    /// </summary>
    public bool ReadyToTrain => EnvironmentSteps >= _options.LearningStarts && Replay.Count >= _options.BatchSize;

    /// <summary>
    /// Records a transition without training: for many agents feeding one learner, whose caller runs
    /// <see cref="TrainStep"/> as its per-tick budget allows and refreshes the target with
    /// <see cref="UpdateTarget"/> (or sets <see cref="DqnOptions.PolyakTau"/>).
    /// Returns false when the transition was refused as non-finite.
    /// </summary>
    /// <param name="observation">s.</param>
    /// <param name="action">a.</param>
    /// <param name="reward">r.</param>
    /// <param name="nextObservation">s′.</param>
    /// <param name="terminal">s′ ends the episode for real.</param>
    public bool Record(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, bool terminal)
    {
        if ((uint)action >= (uint)ActionCount) throw new ArgumentOutOfRangeException(nameof(action), action, $"action must lie in [0, {ActionCount}).");
        EnvironmentSteps++;
        return Replay.Add(observation, action, reward, nextObservation, terminal);
    }

    /// <summary>ε-greedy actions for many agents with one batched call (greedy when <paramref name="explore"/> is false).</summary>
    /// <param name="observations">(count, Inputs).</param>
    /// <param name="actionValues">Scratch (count, actions).</param>
    /// <param name="actions">Output (count).</param>
    /// <param name="count">Rows.</param>
    /// <param name="explore">Use ε-greedy exploration.</param>
    public void SelectActions(ReadOnlySpan<float> observations, Span<float> actionValues, Span<int> actions, int count, bool explore)
    {
        SelectGreedyActions(observations, actionValues, actions, count);
        if (!explore) return;
        float epsilon = Epsilon;
        for (int r = 0; r < count; r++) if (_random.NextFloat() < epsilon) actions[r] = _random.NextInt(ActionCount);
    }

    /// <summary>Copies the online network into the target network.</summary>
    public void UpdateTarget() => Target.CopyParametersFrom(Online);

    /// <summary>One gradient step on a sampled minibatch; returns its mean Huber loss.</summary>
    public float TrainStep()
    {
        int b = _options.BatchSize, k = ActionCount;
        Replay.Sample(_random, b, _observations, _actions, _rewards, _nextObservations, _terminals);
        Target.Predict(_nextObservations, _nextTarget, b);
        if (_options.DoubleDqn) Online.Predict(_nextObservations, _nextOnline, b);
        ReadOnlySpan<float> q = Online.Forward(_observations, b);
        float delta = _options.HuberDelta, gamma = _options.Gamma, invB = 1f / b;
        double loss = 0;
        Array.Clear(_gradient, 0, b * k);
        for (int r = 0; r < b; r++)
        {
            ReadOnlySpan<float> nextT = _nextTarget.AsSpan(r * k, k);
            int best = Metrics.ArgMax(_options.DoubleDqn ? _nextOnline.AsSpan(r * k, k) : nextT);
            float target = _rewards[r] + gamma * (1f - _terminals[r]) * nextT[best];
            int a = (int)_actions[r];
            float error = q[r * k + a] - target, abs = Math.Abs(error);
            loss += abs <= delta ? 0.5 * error * error : delta * (abs - 0.5 * delta);
            _gradient[r * k + a] = Math.Max(-delta, Math.Min(delta, error)) * invB;   // dHuber/dQ, mean over the batch
        }
        Online.Backward(_gradient, b);
        Online.ApplyGradients();
        if (_options.PolyakTau > 0f) Target.BlendParametersFrom(Online, _options.PolyakTau);
        Updates++;
        LastLoss = (float)(loss / b);
        return LastLoss;
    }

    /// <summary>Disposes the target network (the online brain belongs to the caller).</summary>
    public void Dispose() => Target.Dispose();
}
